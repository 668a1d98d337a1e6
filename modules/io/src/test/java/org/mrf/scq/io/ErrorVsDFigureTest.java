package org.mrf.scq.io;

import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ErrorVsDFigureTest {
    @Test
    void drawsEachSeriesInItsOwnColourAndWritesAPng() throws Exception {
        BufferedImage img = ErrorVsDFigure.render(List.of(
                new ErrorVsDFigure.Series("SCQ", new int[]{8, 16, 46}, new double[]{12, 9, 7}, new double[]{30, 22, 19}),
                new ErrorVsDFigure.Series("SCQ_S", new int[]{8, 16, 46}, new double[]{15, 11, Double.NaN}, new double[]{35, 28, 26})));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        MapImages.writePng(img, out);
        BufferedImage back = ImageIO.read(new ByteArrayInputStream(out.toByteArray()));
        assertEquals(ErrorVsDFigure.WIDTH, back.getWidth());
        assertEquals(ErrorVsDFigure.HEIGHT, back.getHeight());
        int blue = 0, red = 0;
        for (int y = 0; y < back.getHeight(); y++) {
            for (int x = 0; x < back.getWidth(); x++) {
                int rgb = back.getRGB(x, y) & 0xFFFFFF;
                if (rgb == 0x1F77B4) blue++;
                if (rgb == 0xD62728) red++;
            }
        }
        assertTrue(blue > 100 && red > 100, "both lines drawn (a NaN point only breaks its line): " + blue + ", " + red);
        assertThrows(IllegalArgumentException.class, () -> ErrorVsDFigure.render(List.of()));
        assertThrows(IllegalArgumentException.class, () -> new ErrorVsDFigure.Series("x", new int[]{8}, new double[0], new double[0]));
    }

    @Test
    void ticksAreOneTwoOrFiveTimesAPowerOfTen() {
        assertEquals(2, ErrorVsDFigure.niceStep(8.4), 1e-12);
        assertEquals(5, ErrorVsDFigure.niceStep(21), 1e-12);
        assertEquals(0.1, ErrorVsDFigure.niceStep(0.5), 1e-12);
        assertEquals(100, ErrorVsDFigure.niceStep(420), 1e-12);
    }
}
