package org.mrf.scq.io;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ComparisonFigureTest {
    @BeforeAll
    static void headless() {
        System.setProperty("java.awt.headless", "true");
    }

    @Test
    void nearestNeighbourEnlargementRepeatsEachPixel() {
        assertArrayEquals(new float[]{1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}, ComparisonFigure.upsample(new float[]{1, 2, 3, 4}, 2, 2, 2));
        assertEquals(4, ComparisonFigure.scale(64, 64), "64 x 64 becomes 256 x 256");
        assertEquals(1, ComparisonFigure.scale(256, 256));
        assertEquals(3, ComparisonFigure.scale(100, 300), "the short side reaches 256");
    }

    @Test
    void groundTruthAndEveryMethodWithTheirErrorsAtAReadableSize() throws Exception {
        int h = 64, w = 64, n = h * w;
        float[] gt1 = new float[n], gt2 = new float[n], mask = new float[n];
        Arrays.fill(gt1, 1500);
        Arrays.fill(gt2, 150);
        Arrays.fill(mask, 1);
        mask[0] = 0; // top-left pixel outside the brain
        float[] off1 = gt1.clone(), off2 = gt2.clone();
        for (int p = 0; p < n; p++) {
            off1[p] *= 1.15f; // 15 % of the 30 % window: mid grey
            off2[p] *= 0.70f; // 30 %: white
        }
        BufferedImage img = ComparisonFigure.render("sub-000 slice 0, ar 4", gt1, gt2,
                List.of(new ComparisonFigure.Method("DM", off1, off2), new ComparisonFigure.Method("SCQ", gt1, gt2)), h, w, mask,
                ComparisonFigure.Windows.BRAIN);
        int panel = 4 * w, panelW = panel + MapImages.GAP + MapImages.BAR_WIDTH + 44, rowH = MapImages.TITLE_HEIGHT + panel + MapImages.GAP;
        assertEquals(3 * panelW + MapImages.GAP, img.getWidth(), "ground truth and two methods, 256 px each");
        assertEquals(20 + 4 * rowH, img.getHeight(), "T1, T1 error, T2, T2 error");
        int x0 = MapImages.GAP, y0 = 20 + MapImages.TITLE_HEIGHT;
        assertEquals(MapImages.Colormap.VIRIDIS.rgb(128), img.getRGB(x0 + 100, y0 + 100) & 0xffffff, "T1 1500 of [0, 3000]");
        assertEquals(0, img.getRGB(x0 + 3, y0 + 3) & 0xffffff, "the masked pixel is a 4 x 4 black block");
        assertNotEquals(0, img.getRGB(x0 + 4, y0 + 4) & 0xffffff);
        // the error rows start under the first method
        assertEquals(0x808080, img.getRGB(panelW + x0 + 100, y0 + rowH + 100) & 0xffffff, "DM's T1 error 15 % of 30 %");
        assertEquals(0x000000, img.getRGB(2 * panelW + x0 + 100, y0 + rowH + 100) & 0xffffff, "SCQ's T1 error 0");
        assertEquals(0xffffff, img.getRGB(panelW + x0 + 100, y0 + 3 * rowH + 100) & 0xffffff, "DM's T2 error 30 %");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        MapImages.writePng(img, out);
        assertNotNull(ImageIO.read(new ByteArrayInputStream(out.toByteArray())));
        assertThrows(IllegalArgumentException.class, () -> ComparisonFigure.render("x", gt1, gt2, List.of(), h, w, null,
                ComparisonFigure.Windows.BRAIN));
        assertThrows(IllegalArgumentException.class, () -> ComparisonFigure.render("x", gt1, gt2,
                List.of(new ComparisonFigure.Method("DM", new float[3], gt2)), h, w, null, ComparisonFigure.Windows.BRAIN));
    }
}
