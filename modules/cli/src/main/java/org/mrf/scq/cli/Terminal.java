package org.mrf.scq.cli;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;

import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Optional;

/**
 * What reaches the user's terminal, and what goes to the log.
 *
 * <p>The terminal shows the project's own progress and summary lines only. Libraries print to the standard
 * streams on their own (SameDiff prints one "Added differentiated op" line per op whenever it builds a gradient
 * function, thousands per training run) and log warnings meant for their developers. So after
 * {@link #install()} every write to {@code System.out} or {@code System.err} is attributed to the class that made
 * it: lines printed by this project ({@code org.mrf.scq.*}) or by picocli (help and usage) pass through; any other
 * line is sent to the log, under the logger {@code stdout.<class>} at INFO. The log file always receives those
 * lines and every log event at WARN and above; the terminal receives log events at ERROR only, or at INFO with
 * {@code -v} ({@link #verbose()}).
 *
 * <p>The log file is {@code --log FILE} when given, else the command's own default (the demo writes
 * {@code OUT/mrf.log}), else {@code $TMPDIR/mrf-logs/mrf-<time>-<pid>.log}. Its path is printed after a failure,
 * so the cause survives.
 */
public final class Terminal {
    /** The log4j2 system properties that conf/log4j2.properties reads. */
    static final String LOG_FILE_PROPERTY = "mrflog.file";
    static final String CONSOLE_LEVEL_PROPERTY = "mrflog.console.level";

    private static final PrintStream REAL_OUT = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
    private static final PrintStream REAL_ERR = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
    private static volatile boolean installed;

    private Terminal() {
    }

    /**
     * Routes the standard streams (see the class comment) and points the log at a default file. Idempotent; only
     * the command-line entry point calls it, so tests and embedding programs keep their own streams.
     */
    public static synchronized void install() {
        if (installed) return;
        installed = true;
        if (System.getProperty(LOG_FILE_PROPERTY) == null) System.setProperty(LOG_FILE_PROPERTY, defaultLogFile().toString());
        if (System.getProperty(CONSOLE_LEVEL_PROPERTY) == null) System.setProperty(CONSOLE_LEVEL_PROPERTY, "ERROR");
        System.setOut(new PrintStream(new Router(REAL_OUT, Terminal::log), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new Router(REAL_ERR, Terminal::log), true, StandardCharsets.UTF_8));
        reconfigure();
    }

    static boolean installed() {
        return installed;
    }

    /** {@code -v}: log events at INFO and above, and library prints, also reach the terminal. */
    public static void verbose() {
        if (!installed) return;
        System.setProperty(CONSOLE_LEVEL_PROPERTY, "INFO");
        reconfigure();
    }

    /** Sends the log to {@code file} from now on (its folder is created). */
    public static void logTo(Path file) {
        if (!installed) return;
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
        } catch (IOException e) {
            throw new org.mrf.scq.core.util.MrfInputException("--log " + file + ": cannot create its folder (" + e.getMessage()
                    + "); give a writable path");
        }
        System.setProperty(LOG_FILE_PROPERTY, file.toAbsolutePath().toString());
        reconfigure();
    }

    /** The log file in use, if logging to a file is configured (it may not exist yet: it is created on first use). */
    public static Optional<Path> logFile() {
        String f = System.getProperty(LOG_FILE_PROPERTY);
        return f == null ? Optional.empty() : Optional.of(Path.of(f));
    }

    static Path defaultLogFile() {
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT));
        return Path.of(System.getProperty("java.io.tmpdir"), "mrf-logs",
                "mrf-" + stamp + "-" + ProcessHandle.current().pid() + ".log");
    }

    private static void reconfigure() {
        // Only when log4j-core is the logging backend (spark-submit may bring its own configuration).
        if (LogManager.getContext(false) instanceof LoggerContext ctx) {
            ctx.reconfigure();
        }
    }

    /** The class that wrote to a standard stream: the first frame outside the JDK, the stream classes and logging. */
    static Optional<String> writer() {
        return StackWalker.getInstance().walk(frames -> frames
                .map(StackWalker.StackFrame::getClassName)
                .filter(c -> !(c.startsWith("java.") || c.startsWith("jdk.") || c.startsWith("sun.")
                        || c.equals(Terminal.class.getName()) || c.startsWith(Terminal.class.getName() + "$") || c.startsWith("scala.Console") || c.startsWith("scala.Predef")))
                .findFirst());
    }

    /** Whether a line from {@code writer} belongs on the terminal (see the class comment). */
    static boolean ours(Optional<String> writer) {
        return writer.map(c -> c.startsWith("org.mrf.scq.") || c.startsWith("picocli.")
                // log4j's own console appender and status logger: already filtered by level.
                || c.startsWith("org.apache.logging.")).orElse(true);
    }

    private static void log(String writer, String line) {
        LogManager.getLogger("stdout." + writer).info(line);
    }

    /**
     * A standard stream that sends each write to the terminal or, line by line, to {@code log} (called with the
     * writing class and the line).
     */
    static final class Router extends OutputStream {
        private final PrintStream terminal;
        private final java.util.function.BiConsumer<String, String> log;
        private final ThreadLocal<ByteArrayOutputStream> pending = ThreadLocal.withInitial(ByteArrayOutputStream::new);
        private final ThreadLocal<String> pendingWriter = new ThreadLocal<>();

        Router(PrintStream terminal, java.util.function.BiConsumer<String, String> log) {
            this.terminal = terminal;
            this.log = log;
        }

        @Override
        public void write(int b) {
            write(new byte[]{(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            Optional<String> who = writer();
            if (ours(who)) {
                terminal.write(b, off, len);
                return;
            }
            ByteArrayOutputStream line = pending.get();
            pendingWriter.set(who.get());
            for (int i = off; i < off + len; i++) {
                if (b[i] == '\n') {
                    log(line);
                } else if (b[i] != '\r') {
                    line.write(b[i]);
                }
            }
        }

        private void log(ByteArrayOutputStream line) {
            String text = line.toString(StandardCharsets.UTF_8);
            line.reset();
            if (!text.isBlank()) log.accept(pendingWriter.get(), text);
        }

        @Override
        public void flush() {
            terminal.flush();
        }
    }
}
