package org.mrf.scq.sim;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class DigitalSubjectGeneratorTest {
    private static final LabelMap CORONAL = LabelMap.bundled("coronal");

    @Test
    void identityGeometryAtSourceResolutionReproducesTheLabelMap() {
        // 362 pixels of 0.5 mm: output pixel centres land exactly on the source pixel centres.
        var o = new DigitalSubjectGenerator.Options(362, 181, 0, 0, 0, 0, 0, 0, 0);
        SubjectMaps s = new DigitalSubjectGenerator(o).fromLabels(CORONAL, TissueTable.literature3T(), 1);
        assertArrayEquals(CORONAL.labels(), s.labels());
        TissueTable lit = TissueTable.literature3T();
        for (int i = 0; i < s.pixels(); i++) {
            Tissue t = Tissue.ofCode(s.labels()[i] & 0xff);
            assertEquals((float) lit.t1Ms(t), s.t1Ms()[i], 1e-3);
            assertEquals((float) lit.t2Ms(t), s.t2Ms()[i], 1e-3);
            assertEquals(t.inBrainMask() ? 1 : 0, s.mask()[i]);
        }
    }

    @Test
    void sameSeedSameSubjectDifferentSeedDifferentSubject() {
        var gen = new DigitalSubjectGenerator(DigitalSubjectGenerator.Options.defaults().withMatrix(64).withLesions(2));
        TissueTable v = TissueTable.literature3T().perturbed(new Random(5), 0.1);
        SubjectMaps a = gen.fromLabels(CORONAL, v, 42), b = gen.fromLabels(CORONAL, v, 42), c = gen.fromLabels(CORONAL, v, 43);
        assertArrayEquals(a.t1Ms(), b.t1Ms());
        assertArrayEquals(a.t2Ms(), b.t2Ms());
        assertArrayEquals(a.pd(), b.pd());
        assertArrayEquals(a.mask(), b.mask());
        int differ = 0;
        for (int i = 0; i < a.pixels(); i++) if (a.labels()[i] != c.labels()[i]) differ++;
        assertTrue(differ > a.pixels() / 50, "another seed deforms the anatomy: " + differ + " labels differ");
    }

    @Test
    void tissueValuesVaryWithinTenPercentAndTextureIsAFewPercent() {
        TissueTable lit = TissueTable.literature3T();
        for (long seed = 0; seed < 20; seed++) {
            TissueTable p = lit.perturbed(new Random(seed), 0.1);
            for (Tissue t : new Tissue[]{Tissue.WHITE_MATTER, Tissue.GREY_MATTER, Tissue.CSF}) {
                assertEquals(1, p.t1Ms(t) / lit.t1Ms(t), 0.1 + 1e-12);
                assertEquals(1, p.t2Ms(t) / lit.t2Ms(t), 0.1 + 1e-12);
                assertEquals(1, p.pd(t) / lit.pd(t), 0.1 + 1e-12);
            }
        }
        assertNotEquals(lit.perturbed(new Random(1), 0.1).t1Ms(Tissue.WHITE_MATTER),
                lit.perturbed(new Random(2), 0.1).t1Ms(Tissue.WHITE_MATTER));
        var gen = new DigitalSubjectGenerator(DigitalSubjectGenerator.Options.defaults().withMatrix(128));
        SubjectMaps s = gen.fromLabels(LabelMap.bundled("axial"), lit, 7);
        double sum = 0, sum2 = 0;
        int n = 0;
        for (int i = 0; i < s.pixels(); i++) {
            if ((s.labels()[i] & 0xff) != Tissue.WHITE_MATTER.code) continue;
            double r = s.t1Ms()[i] / lit.t1Ms(Tissue.WHITE_MATTER);
            sum += r;
            sum2 += r * r;
            n++;
        }
        double mean = sum / n, sd = Math.sqrt(sum2 / n - mean * mean);
        assertTrue(n > 500, "white matter present: " + n);
        assertEquals(1, mean, 0.03, "texture is zero-mean-ish");
        assertTrue(sd > 0.005 && sd < 0.06, "texture of a few %: sd " + sd);
        // Mask is exactly the brain tissues.
        for (int i = 0; i < s.pixels(); i++) {
            assertEquals(Tissue.ofCode(s.labels()[i] & 0xff).inBrainMask() ? 1 : 0, s.mask()[i]);
        }
    }

    @Test
    void lesionsReplaceWhiteMatterWithProlongedRelaxation() {
        var gen = new DigitalSubjectGenerator(DigitalSubjectGenerator.Options.defaults().withMatrix(128).withLesions(4));
        TissueTable v = TissueTable.literature3T();
        SubjectMaps with = gen.fromLabels(LabelMap.bundled("axial"), v, 3);
        var plainGen = new DigitalSubjectGenerator(DigitalSubjectGenerator.Options.defaults().withMatrix(128));
        SubjectMaps without = plainGen.fromLabels(LabelMap.bundled("axial"), v, 3);
        int lesion = 0;
        for (int i = 0; i < with.pixels(); i++) {
            if ((with.labels()[i] & 0xff) == Tissue.LESION.code) {
                lesion++;
                assertEquals(Tissue.WHITE_MATTER.code, without.labels()[i] & 0xff, "lesions only over white matter");
                // Factors >= 1.4 (T1) and >= 1.7 (T2), times texture within a few %.
                assertTrue(with.t1Ms()[i] > 1.25 * v.t1Ms(Tissue.WHITE_MATTER) && with.t2Ms()[i] > 1.5 * v.t2Ms(Tissue.WHITE_MATTER));
                assertTrue(with.t1Ms()[i] < 2.3 * v.t1Ms(Tissue.WHITE_MATTER) && with.t2Ms()[i] < 2.9 * v.t2Ms(Tissue.WHITE_MATTER));
                assertEquals(1, with.mask()[i]);
            } else {
                assertEquals(without.labels()[i], with.labels()[i]);
            }
        }
        assertTrue(lesion > 4, "lesion pixels: " + lesion);
    }

    @Test
    void hydraSubjectsAreDeterministicAndPlausible() {
        var gen = new DigitalSubjectGenerator(DigitalSubjectGenerator.Options.defaults().withMatrix(64));
        SubjectMaps a = gen.fromHydra(0.1, 9), b = gen.fromHydra(0.1, 9);
        assertArrayEquals(a.t1Ms(), b.t1Ms());
        assertArrayEquals(a.pd(), b.pd());
        int signal = 0;
        for (int i = 0; i < a.pixels(); i++) {
            if (!a.hasSignal(i)) {
                assertEquals(0, a.mask()[i]);
                continue;
            }
            signal++;
            assertTrue(a.t1Ms()[i] > 15 && a.t1Ms()[i] < 6000 && a.t2Ms()[i] > 1.5 && a.t2Ms()[i] < 3500, "T1 " + a.t1Ms()[i]);
            assertTrue(a.pd()[i] > 0 && a.pd()[i] < 1.5);
        }
        assertTrue(signal > 64 * 64 / 5, "head fills the FOV: " + signal);
    }
}
