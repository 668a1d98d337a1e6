package org.mrf.scq.core.eval;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class LosoProtocolTest {
    private static final List<String> SIX = List.of("sub-000", "sub-001", "sub-002", "sub-003", "sub-004", "sub-005");

    @Test
    void everySubjectIsTestedOnceAndValidationComesFromTheFoldsTrainingSubjects() {
        LosoProtocol p = new LosoProtocol(SIX, 1, 42);
        assertEquals(6, p.folds().size());
        assertEquals(new HashSet<>(SIX), new HashSet<>(p.folds().stream().map(LosoProtocol.Fold::test).toList()), "each subject tested once");
        for (LosoProtocol.Fold f : p.folds()) {
            assertFalse(f.training().contains(f.test()));
            assertEquals(5, f.training().size());
            assertEquals(1, f.validation().size());
            assertTrue(f.training().containsAll(f.validation()));
            assertEquals(4, f.fitting().size());
            assertFalse(f.fitting().contains(f.validation().get(0)));
        }
    }

    @Test
    void thePlanDependsOnTheSeedAndTheSubjectsNotOnTheirOrder() {
        List<String> shuffled = new ArrayList<>(SIX);
        java.util.Collections.reverse(shuffled);
        assertEquals(new LosoProtocol(SIX, 2, 7).folds(), new LosoProtocol(shuffled, 2, 7).folds());
        int differ = 0;
        for (long seed = 0; seed < 10; seed++) {
            if (!new LosoProtocol(SIX, 1, seed).folds().equals(new LosoProtocol(SIX, 1, seed + 100).folds())) differ++;
        }
        assertTrue(differ >= 9, "another seed draws other validation subjects: " + differ + " of 10");
    }

    @Test
    void validationSubjectsAreDrawnUniformly() {
        // over many seeds, each of fold sub-000's five training subjects is its validation subject a fifth of the time
        Map<String, Integer> count = new LinkedHashMap<>();
        int seeds = 5000;
        for (long seed = 0; seed < seeds; seed++) count.merge(new LosoProtocol(SIX, 1, seed).folds().get(0).validation().get(0), 1, Integer::sum);
        assertEquals(5, count.size());
        double sd = Math.sqrt(seeds * 0.2 * 0.8);
        count.forEach((s, c) -> assertEquals(seeds * 0.2, c, 4 * sd, s + " drawn " + c + " times"));
    }

    @Test
    void choicesAreMadeOnValidationSubjectsOnlyAndRecorded() {
        LosoProtocol p = new LosoProtocol(SIX, 2, 3);
        LosoProtocol.Fold f = p.folds().get(2);
        String v0 = f.validation().get(0), v1 = f.validation().get(1);
        Map<String, Map<String, Double>> errors = new LinkedHashMap<>();
        errors.put("1e-4", Map.of(v0, 6.0, v1, 8.0));
        errors.put("2e-4", Map.of(v0, 5.0, v1, 7.0));
        errors.put("5e-4", Map.of(v0, 7.0, v1, 5.0));
        LosoProtocol.Selection s = p.choose(f, "step2.learning-rate", errors);
        assertEquals("2e-4", s.chosen(), "lowest mean validation error (6.0), the first of the two tied");
        assertEquals(7.0, s.scores().get("1e-4"), 1e-12);
        assertEquals(f.test(), s.fold());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> p.choose(f, "epochs", Map.of("10", Map.of(v0, 1.0, f.test(), 2.0))));
        assertTrue(e.getMessage().contains("the test subject may never tune anything"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> p.choose(f, "epochs", Map.of("10", Map.of(v0, 1.0))), "a validation subject missing");
        assertThrows(IllegalArgumentException.class, () -> p.choose(new LosoProtocol(SIX, 0, 3).folds().get(0), "epochs", errors),
                "a fold without validation subjects can only use fixed settings");

        p.fixed("residual-head", "off", "fixed in the paper profile beforehand");
        assertEquals(2, p.selections().size(), "only the successful choices are recorded");
        Map<String, Object> r = p.record();
        assertEquals(3L, r.get("seed"));
        assertEquals(6, ((List<?>) r.get("folds")).size());
        assertEquals("off", ((Map<?, ?>) ((List<?>) r.get("selections")).get(1)).get("chosen"));
    }

    @Test
    void impossiblePlansAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new LosoProtocol(List.of("a", "a"), 0, 1), "one subject");
        assertThrows(IllegalArgumentException.class, () -> new LosoProtocol(SIX, 5, 1), "no training subject left to fit on");
        assertEquals(4, new LosoProtocol(SIX, 4, 1).folds().get(0).validation().size());
        assertThrows(IllegalArgumentException.class, () -> new LosoProtocol(SIX, -1, 1));
    }
}
