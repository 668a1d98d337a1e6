package org.mrf.scq.spark.store;

import java.io.Serializable;

/**
 * One stored block of image rows of a slice (see {@link SliceStore}), as a bean so Spark's encoder
 * moves the float arrays without boxing. Series are T x rows x W, maps rows x W; null maps are absent.
 */
public final class SliceBlock implements Serializable {
    private String subject;
    private int slice;
    private int block;
    private int y0;
    private int rows;
    private int height;
    private int width;
    private int t;
    private float[] re;
    private float[] im;
    private float[] mask;
    private float[] t1Ms;
    private float[] t2Ms;
    private float[] pd;
    private String source;

    public SliceBlock() {
    }

    public String getSubject() { return subject; }
    public void setSubject(String v) { subject = v; }
    public int getSlice() { return slice; }
    public void setSlice(int v) { slice = v; }
    public int getBlock() { return block; }
    public void setBlock(int v) { block = v; }
    public int getY0() { return y0; }
    public void setY0(int v) { y0 = v; }
    public int getRows() { return rows; }
    public void setRows(int v) { rows = v; }
    public int getHeight() { return height; }
    public void setHeight(int v) { height = v; }
    public int getWidth() { return width; }
    public void setWidth(int v) { width = v; }
    public int getT() { return t; }
    public void setT(int v) { t = v; }
    public float[] getRe() { return re; }
    public void setRe(float[] v) { re = v; }
    public float[] getIm() { return im; }
    public void setIm(float[] v) { im = v; }
    public float[] getMask() { return mask; }
    public void setMask(float[] v) { mask = v; }
    public float[] getT1Ms() { return t1Ms; }
    public void setT1Ms(float[] v) { t1Ms = v; }
    public float[] getT2Ms() { return t2Ms; }
    public void setT2Ms(float[] v) { t2Ms = v; }
    public float[] getPd() { return pd; }
    public void setPd(float[] v) { pd = v; }
    public String getSource() { return source; }
    public void setSource(String v) { source = v; }

    public int pixels() { return rows * width; }
    public String sliceKey() { return subject + "/" + slice; }
}
