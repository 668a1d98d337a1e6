package org.mrf.scq.sim;

/**
 * Tissue classes of the bundled BrainWeb-derived label maps (their uint8 codes), plus a lesion
 * class the generator paints in. Literature relaxation values live in {@link TissueTable}.
 */
public enum Tissue {
    BACKGROUND(0), CSF(23), GREY_MATTER(46), WHITE_MATTER(70), FAT(93), MUSCLE(116), SKIN(139), SKULL(162),
    VESSEL(185), FAT_AROUND_HEAD(209), DURA(232), MARROW(255),
    /** Not a BrainWeb code: white-matter lesion painted by the generator (MS-like). */
    LESION(240);

    public final int code;

    Tissue(int code) {
        this.code = code;
    }

    private static final Tissue[] BY_CODE = new Tissue[256];

    static {
        for (Tissue t : values()) BY_CODE[t.code] = t;
    }

    /** The tissue of a label code, or null for a code that is not one of these. */
    public static Tissue ofCode(int code) {
        return code >= 0 && code < 256 ? BY_CODE[code] : null;
    }

    /** Whether this tissue belongs to the brain mask (parenchyma, CSF and lesions). */
    public boolean inBrainMask() {
        return this == CSF || this == GREY_MATTER || this == WHITE_MATTER || this == LESION;
    }
}
