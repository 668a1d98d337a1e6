package org.mrf.scq.cli;

import org.mrf.scq.core.util.MrfInputException;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The local output folder of a command that runs in this JVM ({@code --out}, {@code --overwrite}); the command writes it
 * with {@link LocalFiles#replaceDirectory}, so that a failed or killed run leaves the previous folder or none.
 */
final class LocalOutput {
    @Option(names = "--out", required = true, description = "Output folder to create (it must not exist unless --overwrite).")
    Path path;
    @Option(names = "--overwrite", description = "Replace an existing output folder, once the new one is complete.")
    boolean overwrite;

    /** The folder as an absolute path, after restoring what a killed replace left; refuses an existing one without --overwrite. */
    Path checked() throws IOException {
        Path abs = path.toAbsolutePath();
        LocalFiles.restoreInterrupted(abs);
        if (Files.exists(abs) && !overwrite) {
            throw new MrfInputException("output " + path + " already exists. Pass --overwrite or choose another --out.");
        }
        return abs;
    }
}
