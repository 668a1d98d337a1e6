package org.mrf.scq.io;

import java.util.Arrays;
import java.util.Objects;

/**
 * A small in-memory n-dimensional array: a name, a shape in C (row-major) order, a float real
 * part and an optional float imaginary part. This is the one type every reader in this package
 * returns and every writer takes, whatever the file format.
 *
 * <p>Layout: element {@code (i0, i1, ..., in-1)} sits at flat index
 * {@code ((i0 * s1 + i1) * s2 + i2) ...}, i.e. the last axis varies fastest. The canonical MRF
 * image series is {@code (T, H, W)} (time, rows, columns); a parametric map is {@code (H, W)}.
 *
 * <p>{@link #elementType()} records the element type a reader found on disk (or the type a
 * writer should use by default); values are always held as float. Integer and float64 inputs
 * are converted to float (float64 loses precision beyond float's 24-bit mantissa).
 *
 * <p>NaN and infinite values are carried as they are; validating them is the caller's job.
 * {@link #equals(Object)} compares values bit for bit (so NaN equals NaN), which is what round
 * trip tests want.
 */
public final class NdArray {
    /** Element types the formats of this package know about. */
    public enum ElementType {
        UINT8(false), INT16(false), INT32(false), FLOAT32(false), FLOAT64(false), COMPLEX64(true), COMPLEX128(true);

        public final boolean complex;

        ElementType(boolean complex) {
            this.complex = complex;
        }
    }

    private final String name;
    private final int[] shape;
    private final float[] re;
    private final float[] im;
    private final ElementType elementType;

    private NdArray(String name, int[] shape, float[] re, float[] im, ElementType elementType) {
        this.name = Objects.requireNonNull(name, "name");
        for (int s : shape) {
            if (s < 0) throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
        }
        long n = count(shape);
        if (n != re.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n + " values, not " + re.length);
        }
        if (im != null && im.length != re.length) {
            throw new IllegalArgumentException("re has " + re.length + " values but im has " + im.length);
        }
        if (im == null && elementType.complex) {
            throw new IllegalArgumentException("element type " + elementType + " needs an imaginary part");
        }
        if (im != null && !elementType.complex) {
            throw new IllegalArgumentException("element type " + elementType + " is real but an imaginary part was given");
        }
        this.shape = shape.clone();
        this.re = re;
        this.im = im;
        this.elementType = elementType;
    }

    /** A real float32 array. The value arrays are used as they are (not copied). */
    public static NdArray real(String name, float[] re, int... shape) {
        return new NdArray(name, shape, re, null, ElementType.FLOAT32);
    }

    /** A complex64 array. The value arrays are used as they are (not copied). */
    public static NdArray complex(String name, float[] re, float[] im, int... shape) {
        return new NdArray(name, shape, re, Objects.requireNonNull(im, "im"), ElementType.COMPLEX64);
    }

    /** General factory: {@code im} may be null for a real type. */
    public static NdArray of(String name, ElementType type, float[] re, float[] im, int... shape) {
        return new NdArray(name, shape, re, im, type);
    }

    /** A zero-filled array. */
    public static NdArray zeros(String name, ElementType type, int... shape) {
        int n = Math.toIntExact(count(shape));
        return new NdArray(name, shape, new float[n], type.complex ? new float[n] : null, type);
    }

    /** The product of the dims, Long.MAX_VALUE when it overflows (file headers may hold any dims). */
    static long count(int[] shape) {
        long n = 1;
        for (int s : shape) n = saturatingProduct(n, s);
        return n;
    }

    /** {@code a * b}, or Long.MAX_VALUE when that overflows. */
    static long saturatingProduct(long a, long b) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException overflow) {
            return Long.MAX_VALUE;
        }
    }

    public String name() { return name; }

    public int[] shape() { return shape.clone(); }

    public int rank() { return shape.length; }

    public int dim(int axis) { return shape[axis]; }

    public int size() { return re.length; }

    public boolean isComplex() { return im != null; }

    public ElementType elementType() { return elementType; }

    /** The real part, flat in C order (the live array, not a copy). */
    public float[] re() { return re; }

    /** The imaginary part, flat in C order, or null for a real array (the live array). */
    public float[] im() { return im; }

    /** Flat C-order index of a multi-index. */
    public int index(int... idx) {
        if (idx.length != shape.length) {
            throw new IllegalArgumentException("index of rank " + idx.length + " for shape " + Arrays.toString(shape));
        }
        int k = 0;
        for (int a = 0; a < shape.length; a++) {
            if (idx[a] < 0 || idx[a] >= shape[a]) {
                throw new IndexOutOfBoundsException("index " + Arrays.toString(idx) + " outside shape " + Arrays.toString(shape));
            }
            k = k * shape[a] + idx[a];
        }
        return k;
    }

    public float get(int... idx) { return re[index(idx)]; }

    public float getImag(int... idx) { return im == null ? 0f : im[index(idx)]; }

    public NdArray withName(String newName) {
        return new NdArray(newName, shape, re, im, elementType);
    }

    /** Same values, another element type (e.g. to write a float map as uint8). Real to complex or back is not allowed. */
    public NdArray withElementType(ElementType type) {
        return new NdArray(name, shape, re, im, type);
    }

    /** Same values, another shape with the same number of elements. */
    public NdArray reshape(int... newShape) {
        return new NdArray(name, newShape, re, im, elementType);
    }

    /** Converts a NumPy array. complex128/float64/integer types keep their type in {@link #elementType()}. */
    public static NdArray fromNpy(String name, NpyArray npy) {
        ElementType t = switch (npy.dtype()) {
            case UINT8 -> ElementType.UINT8;
            case INT16 -> ElementType.INT16;
            case INT32, INT64 -> ElementType.INT32;
            case FLOAT32 -> ElementType.FLOAT32;
            case FLOAT64 -> ElementType.FLOAT64;
            case COMPLEX64 -> ElementType.COMPLEX64;
            case COMPLEX128 -> ElementType.COMPLEX128;
        };
        if (t == ElementType.COMPLEX64) {
            int n = Math.toIntExact(npy.elements());
            float[] re = new float[n], im = new float[n];
            npy.complex64Parts(re, im);
            return new NdArray(name, npy.shape(), re, im, t);
        }
        return new NdArray(name, npy.shape(), npy.toFloat(), npy.isComplex() ? npy.imagToFloat() : null, t);
    }

    /**
     * Converts to a NumPy array: complex arrays become complex64, real ones float32 unless
     * {@link #elementType()} is UINT8 or INT16 (then the values are rounded and clamped).
     */
    public NpyArray toNpy() {
        if (im != null) return NpyArray.ofComplex(re, im, shape);
        return switch (elementType) {
            case UINT8 -> {
                byte[] b = new byte[re.length];
                for (int i = 0; i < re.length; i++) b[i] = (byte) clampRound(re[i], 0, 255);
                yield NpyArray.ofBytes(b, shape);
            }
            case INT16 -> {
                short[] s = new short[re.length];
                for (int i = 0; i < re.length; i++) s[i] = (short) clampRound(re[i], Short.MIN_VALUE, Short.MAX_VALUE);
                yield NpyArray.ofShorts(s, shape);
            }
            default -> NpyArray.ofFloat(re, shape);
        };
    }

    static int clampRound(float v, int lo, int hi) {
        if (Float.isNaN(v)) return 0;
        long r = Math.round((double) v);
        return (int) Math.max(lo, Math.min(hi, r));
    }

    /** Same shape and values (bitwise, NaN == NaN), real vs complex alike; the name and element type are ignored. */
    public boolean sameValues(NdArray o) {
        return Arrays.equals(shape, o.shape) && Arrays.equals(re, o.re) && Arrays.equals(im, o.im);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof NdArray a)) return false;
        return name.equals(a.name) && elementType == a.elementType && sameValues(a);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, elementType, Arrays.hashCode(shape), Arrays.hashCode(re), Arrays.hashCode(im));
    }

    @Override
    public String toString() {
        return "NdArray[" + name + ", " + elementType + " " + Arrays.toString(shape) + "]";
    }
}
