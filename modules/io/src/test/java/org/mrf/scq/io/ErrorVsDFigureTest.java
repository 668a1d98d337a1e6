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
    void accelerationRatesAreEvenlySpacedOnALog2Axis() {
        int[] ar = {2, 4, 8, 16};
        List<ErrorVsDFigure.Series> s = List.of(new ErrorVsDFigure.Series("DM", ar, new double[]{10, 10, 10, 10}, new double[]{20, 20, 20, 20}));
        List<Integer> log = markers(ErrorVsDFigure.render(s, ErrorVsDFigure.Axis.AR));
        assertEquals(4, log.size(), "one marker per ar: " + log);
        assertEquals(log.get(1) - log.get(0), log.get(2) - log.get(1), 1);
        assertEquals(log.get(2) - log.get(1), log.get(3) - log.get(2), 1);
        List<Integer> lin = markers(ErrorVsDFigure.render(s, ErrorVsDFigure.Axis.D));
        assertEquals(4, lin.size(), "one marker per x: " + lin);
        assertEquals(4.0, (lin.get(3) - lin.get(2)) / (double) (lin.get(1) - lin.get(0)), 0.1, "a linear axis spaces 2, 4, 8, 16 as 2 : 4 : 8");
        assertThrows(IllegalArgumentException.class, () -> ErrorVsDFigure.render(List.of(new ErrorVsDFigure.Series("x", new int[]{0, 2},
                new double[]{1, 1}, new double[]{1, 1})), ErrorVsDFigure.Axis.AR));
    }

    /** Centres of the first series' markers in the T1 panel: columns where the line is thicker than its 2-pixel stroke. */
    private static List<Integer> markers(BufferedImage img) {
        List<Integer> centres = new java.util.ArrayList<>();
        int start = -1;
        for (int x = 0; x <= ErrorVsDFigure.WIDTH / 2; x++) {
            int blue = 0;
            for (int y = 0; y < ErrorVsDFigure.HEIGHT - 30 && x < ErrorVsDFigure.WIDTH / 2; y++) {
                if ((img.getRGB(x, y) & 0xFFFFFF) == 0x1F77B4) blue++;
            }
            if (blue >= 5 && start < 0) start = x;
            if (blue < 5 && start >= 0) {
                centres.add((start + x - 1) / 2);
                start = -1;
            }
        }
        return centres;
    }

    @Test
    void ticksAreOneTwoOrFiveTimesAPowerOfTen() {
        assertEquals(2, ErrorVsDFigure.niceStep(8.4), 1e-12);
        assertEquals(5, ErrorVsDFigure.niceStep(21), 1e-12);
        assertEquals(0.1, ErrorVsDFigure.niceStep(0.5), 1e-12);
        assertEquals(100, ErrorVsDFigure.niceStep(420), 1e-12);
    }
}
