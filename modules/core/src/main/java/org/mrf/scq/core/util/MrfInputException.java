package org.mrf.scq.core.util;

/**
 * Bad input from a user: a malformed file, a field out of range, data that cannot be served.
 * The message always names where (file, line, field) and what to do, so the CLI can print it
 * alone, without a stack trace.
 */
public class MrfInputException extends RuntimeException {
    public MrfInputException(String message) {
        super(message);
    }

    public MrfInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
