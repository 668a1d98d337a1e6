package org.mrf.scq.io.ismrmrd;

import org.mrf.scq.core.util.MrfInputException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;
import org.xml.sax.helpers.DefaultHandler;

import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The fields of the ISMRMRD XML header (ismrmrd.xsd, ISMRMRD 1.x) that a 2D non-Cartesian MRF
 * reconstruction needs: the first encoding's encoded and reconstruction spaces (matrix and FOV in
 * mm), its trajectory type, the receiver channels, the sequence timing, and the user parameters
 * (strings) where the schedule is named. Other elements are ignored when read.
 *
 * <p>User parameters written by the project: {@code scheduleName} and {@code scheduleHash} (the
 * MRF schedule of {@link org.mrf.scq.core.sequence.Schedules} and its
 * {@link org.mrf.scq.core.sequence.FispSequence#hash()}).
 *
 * @param encodedMatrix {x, y, z} of encodedSpace/matrixSize
 * @param encodedFovMm  {x, y, z} of encodedSpace/fieldOfView_mm
 * @param reconMatrix   {x, y, z} of reconSpace/matrixSize
 * @param reconFovMm    {x, y, z} of reconSpace/fieldOfView_mm
 * @param trajectory    encoding/trajectory: cartesian, epi, radial, goldenangle, spiral or other
 * @param channels      acquisitionSystemInformation/receiverChannels (0 when absent)
 * @param trMs          sequenceParameters/TR, first value (NaN when absent)
 * @param teMs          sequenceParameters/TE, first value (NaN when absent)
 * @param tiMs          sequenceParameters/TI, first value (NaN when absent)
 * @param userStrings   userParameters/userParameterString name -> value
 */
public record IsmrmrdHeader(int[] encodedMatrix, double[] encodedFovMm, int[] reconMatrix, double[] reconFovMm,
                            String trajectory, int channels, double trMs, double teMs, double tiMs,
                            Map<String, String> userStrings) {
    public static final String SCHEDULE_NAME = "scheduleName";
    public static final String SCHEDULE_HASH = "scheduleHash";

    /** A square 2D header with the same encoded and reconstruction space. */
    public static IsmrmrdHeader square(int matrix, double fovMm, String trajectory, int channels, double trMs, double teMs,
                                       double tiMs, Map<String, String> userStrings) {
        return new IsmrmrdHeader(new int[]{matrix, matrix, 1}, new double[]{fovMm, fovMm, fovMm / matrix},
                new int[]{matrix, matrix, 1}, new double[]{fovMm, fovMm, fovMm / matrix}, trajectory, channels, trMs, teMs,
                tiMs, userStrings);
    }

    public String userString(String name) { return userStrings.get(name); }

    public String toXml() {
        StringBuilder x = new StringBuilder();
        x.append("<?xml version=\"1.0\"?>\n<ismrmrdHeader xmlns=\"http://www.ismrm.org/ISMRMRD\" ")
                .append("xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" ")
                .append("xsi:schemaLocation=\"http://www.ismrm.org/ISMRMRD ismrmrd.xsd\">\n");
        if (channels > 0) {
            x.append("  <acquisitionSystemInformation>\n    <receiverChannels>").append(channels)
                    .append("</receiverChannels>\n  </acquisitionSystemInformation>\n");
        }
        x.append("  <experimentalConditions>\n    <H1resonanceFrequency_Hz>127800000</H1resonanceFrequency_Hz>\n")
                .append("  </experimentalConditions>\n  <encoding>\n");
        space(x, "encodedSpace", encodedMatrix, encodedFovMm);
        space(x, "reconSpace", reconMatrix, reconFovMm);
        x.append("    <encodingLimits>\n    </encodingLimits>\n    <trajectory>").append(escape(trajectory))
                .append("</trajectory>\n  </encoding>\n");
        if (Double.isFinite(trMs) || Double.isFinite(teMs) || Double.isFinite(tiMs)) {
            x.append("  <sequenceParameters>\n");
            if (Double.isFinite(trMs)) x.append("    <TR>").append(num(trMs)).append("</TR>\n");
            if (Double.isFinite(teMs)) x.append("    <TE>").append(num(teMs)).append("</TE>\n");
            if (Double.isFinite(tiMs)) x.append("    <TI>").append(num(tiMs)).append("</TI>\n");
            x.append("  </sequenceParameters>\n");
        }
        if (!userStrings.isEmpty()) {
            x.append("  <userParameters>\n");
            for (Map.Entry<String, String> e : userStrings.entrySet()) {
                x.append("    <userParameterString>\n      <name>").append(escape(e.getKey())).append("</name>\n      <value>")
                        .append(escape(e.getValue())).append("</value>\n    </userParameterString>\n");
            }
            x.append("  </userParameters>\n");
        }
        return x.append("</ismrmrdHeader>\n").toString();
    }

    private static void space(StringBuilder x, String name, int[] m, double[] fov) {
        x.append("    <").append(name).append(">\n      <matrixSize><x>").append(m[0]).append("</x><y>").append(m[1])
                .append("</y><z>").append(m[2]).append("</z></matrixSize>\n      <fieldOfView_mm><x>").append(num(fov[0]))
                .append("</x><y>").append(num(fov[1])).append("</y><z>").append(num(fov[2]))
                .append("</z></fieldOfView_mm>\n    </").append(name).append(">\n");
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.6f", v);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /** Parses the XML of {@code source}; a missing or malformed field is one error naming it. */
    public static IsmrmrdHeader parse(String xml, String source) {
        Document doc;
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(false);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            DocumentBuilder builder = f.newDocumentBuilder();
            // The default handler prints "[Fatal Error] ..." to stderr before throwing; the exception alone is reported.
            builder.setErrorHandler(new DefaultHandler() {
                @Override
                public void fatalError(SAXParseException e) throws SAXException {
                    throw e;
                }
            });
            doc = builder.parse(new ByteArrayInputStream(xml.strip().getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new MrfInputException(source + ": /dataset/xml is not well-formed XML (" + e.getMessage()
                    + "). It must be an ISMRMRD header (ismrmrd.xsd).", e);
        }
        Element root = doc.getDocumentElement();
        Element enc = child(root, "encoding");
        if (enc == null) throw new MrfInputException(source + ": the XML header has no <encoding>; it must give the encoded "
                + "and reconstruction spaces (matrixSize, fieldOfView_mm) and the trajectory.");
        Element encoded = required(enc, "encodedSpace", source);
        Element recon = child(enc, "reconSpace");
        if (recon == null) recon = encoded;
        int[] em = matrix(encoded, "encodedSpace", source), rm = matrix(recon, "reconSpace", source);
        double[] ef = fov(encoded, "encodedSpace", source), rf = fov(recon, "reconSpace", source);
        Element traj = child(enc, "trajectory");
        String trajectory = traj == null ? "other" : traj.getTextContent().strip();
        int channels = 0;
        Element asi = child(root, "acquisitionSystemInformation");
        if (asi != null && child(asi, "receiverChannels") != null) {
            channels = (int) number(child(asi, "receiverChannels"), "acquisitionSystemInformation/receiverChannels", source);
        }
        double tr = Double.NaN, te = Double.NaN, ti = Double.NaN;
        Element seq = child(root, "sequenceParameters");
        if (seq != null) {
            if (child(seq, "TR") != null) tr = number(child(seq, "TR"), "sequenceParameters/TR", source);
            if (child(seq, "TE") != null) te = number(child(seq, "TE"), "sequenceParameters/TE", source);
            if (child(seq, "TI") != null) ti = number(child(seq, "TI"), "sequenceParameters/TI", source);
        }
        Map<String, String> user = new LinkedHashMap<>();
        Element up = child(root, "userParameters");
        if (up != null) {
            NodeList l = up.getChildNodes();
            for (int i = 0; i < l.getLength(); i++) {
                if (l.item(i) instanceof Element e && e.getTagName().equals("userParameterString")) {
                    Element name = child(e, "name"), value = child(e, "value");
                    if (name != null && value != null) user.put(name.getTextContent().strip(), value.getTextContent().strip());
                }
            }
        }
        return new IsmrmrdHeader(em, ef, rm, rf, trajectory, channels, tr, te, ti, user);
    }

    private static Element child(Element parent, String name) {
        for (Node c = parent.getFirstChild(); c != null; c = c.getNextSibling()) {
            if (c instanceof Element e && e.getTagName().equals(name)) return e;
        }
        return null;
    }

    private static Element required(Element parent, String name, String source) {
        Element e = child(parent, name);
        if (e == null) throw new MrfInputException(source + ": the XML header has no <" + name + "> in <" + parent.getTagName() + ">.");
        return e;
    }

    private static double number(Element e, String field, String source) {
        String t = e.getTextContent().strip();
        try {
            return Double.parseDouble(t);
        } catch (NumberFormatException ex) {
            throw new MrfInputException(source + ": XML header field " + field + " is '" + t + "', not a number.");
        }
    }

    private static int[] matrix(Element space, String name, String source) {
        double[] v = xyz(space, name, "matrixSize", 1, source);
        return new int[]{(int) v[0], (int) v[1], (int) v[2]};
    }

    private static double[] fov(Element space, String name, String source) {
        return xyz(space, name, "fieldOfView_mm", 0, source);
    }

    /** The x, y, z children of the required element {@code vector} of an encoding space; {@code absent} for a missing axis. */
    private static double[] xyz(Element space, String name, String vector, double absent, String source) {
        Element m = required(space, vector, source);
        double[] v = new double[3];
        String[] axes = {"x", "y", "z"};
        for (int i = 0; i < 3; i++) {
            Element a = child(m, axes[i]);
            v[i] = a == null ? absent : number(a, "encoding/" + name + "/" + vector + "/" + axes[i], source);
        }
        return v;
    }
}
