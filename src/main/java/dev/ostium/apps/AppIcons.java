package dev.ostium.apps;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Consent-screen icons: a PNG or JPEG upload, re-encoded as PNG (so nothing but pixels is kept) and, when
 * larger than 64x64, scaled down to fit 64x64 with its proportions, centred on a transparent square.
 */
public final class AppIcons {

    public static final int SIZE = 64;
    public static final int MAX_UPLOAD = 1024 * 1024;
    private static final int MAX_SOURCE_PIXELS = 4096 * 4096;

    private AppIcons() {}

    public static byte[] toPng64(byte[] upload) {
        if (upload == null || upload.length == 0) throw AppException.invalid("the icon is empty: send a PNG or JPEG image");
        if (upload.length > MAX_UPLOAD) throw AppException.invalid("the icon is larger than 1 MiB");
        String format = sniff(upload);
        if (format == null) throw AppException.invalid("the icon must be a PNG or JPEG image");
        BufferedImage source = read(upload, format);
        int w = source.getWidth();
        int h = source.getHeight();
        BufferedImage out;
        if (w <= SIZE && h <= SIZE) {
            out = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
            draw(out, source, 0, 0, w, h);
        } else {
            double scale = Math.min((double) SIZE / w, (double) SIZE / h);
            int sw = Math.max(1, (int) Math.round(w * scale));
            int sh = Math.max(1, (int) Math.round(h * scale));
            out = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_INT_ARGB);
            draw(out, source, (SIZE - sw) / 2, (SIZE - sh) / 2, sw, sh);
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        try {
            ImageIO.write(out, "png", png);
        } catch (IOException e) {
            throw new IllegalStateException("PNG encoding failed", e);
        }
        return png.toByteArray();
    }

    private static String sniff(byte[] b) {
        if (b.length > 8 && (b[0] & 0xFF) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') return "png";
        if (b.length > 3 && (b[0] & 0xFF) == 0xFF && (b[1] & 0xFF) == 0xD8 && (b[2] & 0xFF) == 0xFF) return "jpeg";
        return null;
    }

    private static BufferedImage read(byte[] upload, String format) {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(upload))) {
            Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format);
            if (!readers.hasNext()) throw AppException.invalid("the icon cannot be read");
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                // Check the size before decoding, so a small file claiming huge dimensions costs nothing.
                int w = reader.getWidth(0);
                int h = reader.getHeight(0);
                if ((long) w * h > MAX_SOURCE_PIXELS) throw AppException.invalid("the icon is larger than 4096x4096 pixels");
                // Decode only every n-th pixel of a big image: a few times the icon's size is plenty to scale
                // from, and a full 4096x4096 raster would take 64 MiB of a small heap.
                ImageReadParam param = reader.getDefaultReadParam();
                int step = Math.max(1, Math.max(w, h) / (SIZE * 4));
                param.setSourceSubsampling(step, step, 0, 0);
                return reader.read(0, param);
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof AppException ae) throw ae;
            throw AppException.invalid("the icon is not a readable " + format.toUpperCase() + " image");
        }
    }

    private static void draw(BufferedImage target, BufferedImage source, int x, int y, int w, int h) {
        Graphics2D g = target.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            g.drawImage(source, x, y, w, h, null);
        } finally {
            g.dispose();
        }
    }
}
