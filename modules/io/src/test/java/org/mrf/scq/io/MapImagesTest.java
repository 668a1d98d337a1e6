package org.mrf.scq.io;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.GraphicsEnvironment;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class MapImagesTest {
    @BeforeAll
    static void headless() {
        System.setProperty("java.awt.headless", "true");
    }

    static double luminance(int rgb) {
        double r = (rgb >> 16 & 255) / 255.0, g = (rgb >> 8 & 255) / 255.0, b = (rgb & 255) / 255.0;
        return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
    }

    static double lin(double c) {
        return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    }

    @Test
    void viridisLikeIsMonotonicInLuminanceAndGoesVioletToYellow() {
        for (int i = 1; i < 256; i++) {
            assertTrue(luminance(MapImages.Colormap.VIRIDIS.rgb(i)) > luminance(MapImages.Colormap.VIRIDIS.rgb(i - 1)),
                    "luminance rises at level " + i);
        }
        int lo = MapImages.Colormap.VIRIDIS.rgb(0), hi = MapImages.Colormap.VIRIDIS.rgb(255);
        assertTrue((lo & 255) > (lo >> 16 & 255), "low end is blue-violet");
        assertTrue((hi >> 16 & 255) > 200 && (hi >> 8 & 255) > 200 && (hi & 255) < 80, "high end is yellow");
        assertEquals(0x808080, MapImages.Colormap.GRAY.rgb(128));
    }

    @Test
    void windowMaskAndNanGiveExpectedPixels() throws IOException {
        assertTrue(GraphicsEnvironment.isHeadless());
        float[] map = {0, 500, 1000, 2000, Float.NaN, -5, 1500, 750};
        boolean[] mask = {true, true, true, true, true, true, false, true};
        BufferedImage img = MapImages.render(map, 2, 4, 0, 1000, MapImages.Colormap.GRAY, mask);
        assertEquals(4, img.getWidth());
        assertEquals(2, img.getHeight());
        assertEquals(0x000000, img.getRGB(0, 0) & 0xffffff, "min -> black");
        assertEquals(0x808080, img.getRGB(1, 0) & 0xffffff, "middle -> 128");
        assertEquals(0xffffff, img.getRGB(2, 0) & 0xffffff, "max -> white");
        assertEquals(0xffffff, img.getRGB(3, 0) & 0xffffff, "above window clamps");
        assertEquals(0, img.getRGB(0, 1) & 0xffffff, "NaN is black");
        assertEquals(0, img.getRGB(1, 1) & 0xffffff, "below window clamps");
        assertEquals(0, img.getRGB(2, 1) & 0xffffff, "masked out is black");
        assertEquals(0xc0c0c0, img.getRGB(3, 1) & 0xffffff, "750 of 1000 -> level floor(0.75 * 256) = 192");
    }

    @Test
    void pngRoundTripKeepsPixels() throws IOException {
        float[] map = new float[32 * 48];
        for (int i = 0; i < map.length; i++) map[i] = i % 48 * 40f;
        BufferedImage img = MapImages.render(NdArray.real("t1", map, 32, 48), 0, 2000, MapImages.Colormap.VIRIDIS, null);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        MapImages.writePng(img, out);
        byte[] b = out.toByteArray();
        assertEquals((byte) 0x89, b[0]);
        assertEquals('P', b[1]);
        BufferedImage back = ImageIO.read(new ByteArrayInputStream(b));
        assertEquals(48, back.getWidth());
        for (int x = 0; x < 48; x++) assertEquals(img.getRGB(x, 5), back.getRGB(x, 5));
        assertEquals(MapImages.Colormap.VIRIDIS.rgb(0), back.getRGB(0, 0) & 0xffffff);
    }

    @Test
    void tileLaysOutPanelsWithColourBars() throws IOException {
        int h = 20, w = 30;
        float[] truth = new float[h * w], est = new float[h * w];
        for (int i = 0; i < truth.length; i++) {
            truth[i] = 1000;
            est[i] = 1100;
        }
        boolean[] mask = new boolean[h * w];
        mask[0] = false;
        for (int i = 1; i < mask.length; i++) mask[i] = true;
        BufferedImage img = MapImages.truthEstimateError("T1", truth, est, h, w, 0, 2000, 200, mask);
        int panelW = w + MapImages.GAP + MapImages.BAR_WIDTH + 44;
        assertEquals(3 * panelW + MapImages.GAP, img.getWidth());
        assertEquals(MapImages.TITLE_HEIGHT + h + MapImages.GAP, img.getHeight());
        int y = MapImages.TITLE_HEIGHT + 10;
        int x0 = MapImages.GAP;
        assertEquals(MapImages.Colormap.VIRIDIS.rgb(128), img.getRGB(x0 + 5, y) & 0xffffff, "truth 1000 of [0, 2000]");
        assertEquals(MapImages.Colormap.VIRIDIS.rgb(140), img.getRGB(x0 + panelW + 5, y) & 0xffffff, "estimate 1100");
        assertEquals(0x808080, img.getRGB(x0 + 2 * panelW + 5, y) & 0xffffff, "|error| 100 of [0, 200] -> level 128");
        assertEquals(0, img.getRGB(x0, MapImages.TITLE_HEIGHT) & 0xffffff, "masked pixel black");
        int bar = x0 + w + MapImages.GAP + 2;
        assertEquals(MapImages.Colormap.VIRIDIS.rgb(255), img.getRGB(bar, MapImages.TITLE_HEIGHT) & 0xffffff, "bar top = max");
        assertEquals(MapImages.Colormap.VIRIDIS.rgb(0), img.getRGB(bar, MapImages.TITLE_HEIGHT + h - 1) & 0xffffff);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        MapImages.writePng(img, out);
        assertNotNull(ImageIO.read(new ByteArrayInputStream(out.toByteArray())));
        assertThrows(IllegalArgumentException.class, () -> MapImages.tile(List.of(), h, w, null));
        assertThrows(IllegalArgumentException.class, () -> MapImages.render(truth, h, w, 5, 5, MapImages.Colormap.GRAY, null));
    }
}
