package org.mrf.scq.spark.method;

import org.junit.jupiter.api.Test;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.model.Variant;
import org.mrf.scq.model.drone.DroneSettings;
import org.mrf.scq.spark.reconstruct.CsmrMethod;
import org.mrf.scq.model.TrainConfig;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The name -> method table: every name once, the errors, the run order, and one dictionary for all its methods. */
class MethodCatalogTest {
    static final DroneSettings DRONE = DroneSettings.defaults(1);

    /** Learned methods as the evaluation builds them, recording what was asked. */
    static MethodCatalog.Learned recording(List<String> asked) {
        return (name, v, d) -> {
            asked.add(name + ":" + v + ":" + d);
            return new ModelMethod(name, v, "quick", TrainConfig.quick(), "h", 24, Path.of("w"), System.out);
        };
    }

    @Test
    void knowsEveryMethodOfTheEvaluation() {
        assertEquals(List.of("dm", "sdm", "csmr", "dl", "scq", "scq_s", "sq_only", "fe_only", "scq_m"), MethodCatalog.NAMES);
    }

    @Test
    void fixedMethodsRunFirstAndShareOneDictionaryLearnedOnesFollowInTheOrderGiven() {
        List<String> asked = new ArrayList<>();
        MethodCatalog c = new MethodCatalog("dict", 0.99, "raw", DRONE);
        List<MapMethod> m = c.create(List.of(" SCQ ", "dl", "fe_only_true", "sdm", "csmr", "dm", "scq", "sdm"), recording(asked));
        assertEquals(List.of("sdm", "dm", "csmr", "dl", "scq", "fe_only_true"), m.stream().map(MapMethod::name).toList());
        assertEquals(List.of("scq:SCQ:0", "fe_only_true:FE_ONLY:0"), asked);
        assertInstanceOf(MatchMethod.class, m.get(0));
        assertInstanceOf(CsmrMethod.class, m.get(2));
        assertInstanceOf(DroneMethod.class, m.get(3));
        SharedDictionary shared = ((DictionaryMethod) m.get(0)).dictionary;
        assertEquals("dict", shared.path());
        // The methods that read the dictionary on the driver share one; CSMR reads it on the executors, from its path.
        for (MapMethod x : List.of(m.get(0), m.get(1), m.get(3))) {
            assertSame(shared, ((DictionaryMethod) x).dictionary, x.name() + " reads the same dictionary");
        }
        assertEquals("dict", ((DictionaryMethod) m.get(2)).dictionary.path());
        for (MapMethod x : m.subList(0, 4)) assertFalse(x.learns(), x.name());
        assertTrue(m.get(4).learns());
    }

    @Test
    void theSweepBuildsScqAndScqSForEachD() {
        List<String> asked = new ArrayList<>();
        List<MapMethod> m = MethodCatalog.sweep(List.of(8, 16), recording(asked));
        assertEquals(List.of("scq_d8:SCQ:8", "scq_s_d8:SCQ_S:8", "scq_d16:SCQ:16", "scq_s_d16:SCQ_S:16"), asked);
        assertEquals(4, m.size());
    }

    @Test
    void badNamesAreOneErrorThatNamesThemAndTheKnownOnes() {
        MethodCatalog c = new MethodCatalog("dict", 0.99, null, DRONE);
        MrfInputException unknown = assertThrows(MrfInputException.class, () -> c.check(List.of("dm", "svm")));
        assertTrue(unknown.getMessage().startsWith("svm: no such method. The methods are dm, sdm, csmr, dl, scq, scq_s, sq_only, "
                + "fe_only, scq_m"), unknown.getMessage());
        MrfInputException untrained = assertThrows(MrfInputException.class, () -> c.check(List.of("dl_true")));
        assertTrue(untrained.getMessage().startsWith("dl_true: dl is not trained, so it has no targets"), untrained.getMessage());
        MrfInputException noRaw = assertThrows(MrfInputException.class, () -> c.check(List.of("csmr")));
        assertTrue(noRaw.getMessage().contains("--raw"), noRaw.getMessage());
        assertEquals(Variant.FE_ONLY, MethodCatalog.variant("fe_only_true"));
        assertEquals(List.of("scq", "dm"), c.check(List.of("SCQ", " dm", "scq")));
    }
}
