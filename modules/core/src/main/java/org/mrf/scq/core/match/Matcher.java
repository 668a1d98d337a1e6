package org.mrf.scq.core.match;

/**
 * Matches MRF signals against a dictionary: for every pixel the entry maximising |<d, x>| over the
 * unit-energy entries d and its (T1, T2, PD); see {@link MatchResult} for the exact meaning.
 *
 * <p>Time points: {@code t} is the number of time points to compare (acceleration uses the first
 * {@code t} = 2304 / ar). It must not exceed the dictionary's (an error names both); the input may
 * hold more time points than {@code t}, and then only its first {@code t} are used, for signals and
 * dictionary alike. A {@link SubspaceMatcher} works only at the T its SVD basis was computed for.
 *
 * <p>Validation: a NaN or infinite sample raises {@link org.mrf.scq.core.util.MrfInputException}
 * naming the pixel (and time point); an all-zero pixel (background) gets index -1 and T1 = T2 =
 * PD = 0, never NaN.
 */
public interface Matcher {
    /** The largest {@code t} this matcher accepts (the dictionary's T, or the SVD basis's T for SDM). */
    int timepoints();

    /** Number of dictionary entries. */
    int entries();

    /**
     * Pixel-major input: pixel p's time point s is at {@code re[p * tIn + s]}, {@code im[...]} with
     * tIn = re.length / pixels (must divide exactly) and tIn >= t.
     */
    MatchResult match(float[] re, float[] im, int pixels, int t);

    /**
     * Time-major input, a C-order (frames, height, width) series as in a .npy of shape (T, H, W):
     * frame s, pixel (h, w) is at {@code re[(s * height + h) * width + w]}. Pixel index in the result
     * is h * width + w. Uses the first {@code t <= frames} frames; no transpose is made (the GEMMs
     * read the frames with the transposing flag).
     */
    MatchResult matchTimeMajor(float[] re, float[] im, int frames, int height, int width, int t);

    /** Frees working memory kept between calls (score buffers); the matcher stays usable. */
    default void release() {
    }
}
