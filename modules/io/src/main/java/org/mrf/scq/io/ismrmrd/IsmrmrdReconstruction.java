package org.mrf.scq.io.ismrmrd;

import org.mrf.scq.core.recon.GriddingReconstruction;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.io.NpyArray;
import org.mrf.scq.io.ismrmrd.IsmrmrdAcquisition.Counter;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * One slice of an ISMRMRD file to a cohort series file: read ({@link IsmrmrdRaw#read}),
 * reconstruct every frame ({@link GriddingReconstruction}) and stream the frames into a complex64
 * {@code (T, H, W)} .npy (modules/sim/COHORT-FORMAT.md) as they come, each at its offset, so the
 * series is never held whole. Written under a temporary name and renamed when complete.
 */
public final class IsmrmrdReconstruction {
    private IsmrmrdReconstruction() {
    }

    /** Shape {T, H, W} of the series written. */
    public static int[] toNpy(Path raw, int slice, Counter frameCounter, int expectedFrames,
                              GriddingReconstruction.Options options, Path npy) throws IOException {
        IsmrmrdRaw.Slice s = IsmrmrdRaw.read(raw, slice, frameCounter);
        int t = s.series().frames(), n = s.series().matrix();
        if (t != expectedFrames) {
            throw new MrfInputException(raw + ": slice " + slice + " has " + t + " frames (idx." + frameCounter.field()
                    + "), the schedule " + expectedFrames + " time points.");
        }
        byte[] header = NpyArray.header(NpyArray.DType.COMPLEX64, t, n, n);
        long frameBytes = 8L * n * n;
        Path tmp = npy.resolveSibling("." + npy.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(header), 0);
            GriddingReconstruction.reconstruct(s.series(), options, (frame, img) -> {
                ByteBuffer b = ByteBuffer.allocate((int) frameBytes).order(ByteOrder.LITTLE_ENDIAN);
                for (float v : img) b.putFloat(v);
                b.flip();
                long at = header.length + frame * frameBytes;
                while (b.hasRemaining()) at += ch.write(b, at);
            });
            ch.force(false);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, npy, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return new int[]{t, n, n};
    }
}
