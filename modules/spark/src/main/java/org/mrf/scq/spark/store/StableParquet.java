package org.mrf.scq.spark.store;

import org.apache.parquet.format.ColumnChunk;
import org.apache.parquet.format.Encoding;
import org.apache.parquet.format.FileMetaData;
import org.apache.parquet.format.RowGroup;
import org.apache.parquet.format.Util;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;

/**
 * A small Parquet file built in memory whose bytes depend only on its content, not on the JVM that wrote it.
 * parquet-mr 1.13 collects each column chunk's encodings in a {@code HashSet} of enum constants, whose iteration
 * order follows their identity hash codes, which differ from JVM to JVM: the footer lists e.g. [PLAIN, BIT_PACKED] in
 * one executor and [BIT_PACKED, PLAIN] in another. {@link #canonical} sorts those lists; the data pages are untouched.
 */
final class StableParquet implements OutputFile {
    private static final byte[] MAGIC = "PAR1".getBytes(StandardCharsets.US_ASCII);
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    /** The file written into this output, its footer canonical. */
    byte[] canonicalBytes() throws IOException {
        return canonical(bytes.toByteArray());
    }

    /** {@code file} (a whole unencrypted Parquet file) with every column chunk's encodings in ascending order. */
    static byte[] canonical(byte[] file) throws IOException {
        return withEncodings(file, Comparator.comparingInt(Encoding::getValue));
    }

    /** {@code file} with every column chunk's encodings listed in {@code order}. */
    static byte[] withEncodings(byte[] file, Comparator<Encoding> order) throws IOException {
        int n = file.length;
        if (n < 12 || !Arrays.equals(Arrays.copyOfRange(file, n - 4, n), MAGIC)) throw new IOException("not a Parquet file");
        int footerLength = ByteBuffer.wrap(file, n - 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        int footerStart = n - 8 - footerLength;
        FileMetaData md = Util.readFileMetaData(new ByteArrayInputStream(file, footerStart, footerLength));
        for (RowGroup rg : md.getRow_groups()) {
            for (ColumnChunk c : rg.getColumns()) {
                if (c.isSetMeta_data()) c.getMeta_data().getEncodings().sort(order);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(n);
        out.write(file, 0, footerStart);
        ByteArrayOutputStream footer = new ByteArrayOutputStream(footerLength);
        Util.writeFileMetaData(md, footer);
        footer.writeTo(out);
        out.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(footer.size()).array());
        out.write(MAGIC);
        return out.toByteArray();
    }

    @Override
    public PositionOutputStream create(long blockSizeHint) {
        return createOrOverwrite(blockSizeHint);
    }

    @Override
    public PositionOutputStream createOrOverwrite(long blockSizeHint) {
        bytes.reset();
        return new PositionOutputStream() {
            @Override
            public long getPos() {
                return bytes.size();
            }

            @Override
            public void write(int b) {
                bytes.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                bytes.write(b, off, len);
            }
        };
    }

    @Override
    public boolean supportsBlockSize() {
        return false;
    }

    @Override
    public long defaultBlockSize() {
        return 0;
    }
}
