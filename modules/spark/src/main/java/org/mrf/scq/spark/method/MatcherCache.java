package org.mrf.scq.spark.method;

import org.apache.spark.broadcast.Broadcast;
import org.mrf.scq.core.dictionary.Dictionary;
import org.mrf.scq.core.match.Matcher;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Per-JVM matchers, built once from a broadcast dictionary per (kind, time-point count). Only the current
 * dictionary's matchers are kept: each holds a normalised copy of the dictionary (up to 240 MB), so a long-lived
 * executor (or the embedded driver) must not collect them job after job.
 */
final class MatcherCache {
    private static final Map<String, Matcher> CACHE = new HashMap<>();
    private static long dictionaryId = -1;

    private MatcherCache() {
    }

    static synchronized Matcher get(Broadcast<Dictionary> dict, String kind, int t, Function<Dictionary, Matcher> build) {
        if (dict.id() != dictionaryId) {
            clear();
            dictionaryId = dict.id();
        }
        return CACHE.computeIfAbsent(kind + "@" + t, k -> build.apply(dict.value().truncate(t)));
    }

    static synchronized void clear() {
        CACHE.values().forEach(Matcher::release);
        CACHE.clear();
        dictionaryId = -1;
    }
}
