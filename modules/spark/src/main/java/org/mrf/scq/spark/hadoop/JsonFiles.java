package org.mrf.scq.spark.hadoop;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** The project's JSON (Jackson) and small UTF-8 text files on any Hadoop file system: metadata sidecars, reports. */
public final class JsonFiles {
    public static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private JsonFiles() {
    }

    public static void writeText(FileSystem fs, Path p, String text) throws IOException {
        try (FSDataOutputStream out = fs.create(p, true)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
    }

    public static String readText(FileSystem fs, Path p) throws IOException {
        try (FSDataInputStream in = fs.open(p)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** {@code value} as indented JSON. */
    public static void write(FileSystem fs, Path p, Object value) throws IOException {
        writeText(fs, p, JSON.writeValueAsString(value));
    }

    /** A JSON object file. */
    public static Map<?, ?> readMap(FileSystem fs, Path p) throws IOException {
        return JSON.readValue(readText(fs, p), Map.class);
    }
}
