package dev.ostium.keys;

import dev.ostium.config.Config;
import dev.ostium.config.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Seals secrets at rest with AES-256-GCM. The associated data binds a sealed value to what it belongs
 * to (a key id, say), so a sealed value copied onto another row does not open.
 */
public final class MasterKey {

    private static final Logger log = LoggerFactory.getLogger(MasterKey.class);
    private static final String FORMAT = "v1";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec key;

    public MasterKey(byte[] raw) {
        if (raw.length != 32) throw new ConfigException("the master key must be 256 bits (32 bytes, base64-encoded)");
        this.key = new SecretKeySpec(raw, "AES");
    }

    /** The configured key, or the one in DATA_DIR/master.key, generated there on first start. */
    public static MasterKey load(Config config) {
        if (config.masterKey() != null) return new MasterKey(decode(config.masterKey(), "master-key"));
        Path file = config.dataDir().resolve("master.key");
        try {
            if (Files.exists(file)) return new MasterKey(decode(Files.readString(file).trim(), file.toString()));
            Files.createDirectories(config.dataDir());
            byte[] raw = new byte[32];
            RANDOM.nextBytes(raw);
            // Created owner-only from the start, so the key is never readable by others, not even briefly.
            if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } else {
                Files.createFile(file);
            }
            Files.writeString(file, Base64.getEncoder().encodeToString(raw) + "\n", StandardOpenOption.WRITE);
            log.warn("No master key configured: generated one in {}. Back it up and keep it apart from database "
                    + "backups, or set OSTIUM_MASTER_KEY; without it the sealed private keys cannot be opened.", file);
            return new MasterKey(raw);
        } catch (IOException e) {
            throw new ConfigException("cannot read or create the master key file " + file + ": " + e.getMessage());
        }
    }

    private static byte[] decode(String b64, String source) {
        try {
            return Base64.getDecoder().decode(b64.trim());
        } catch (IllegalArgumentException e) {
            throw new ConfigException("the master key in " + source + " is not base64");
        }
    }

    /**
     * A key for one purpose, derived from the master key (HMAC-SHA256 of the purpose label), so every node
     * of a deployment derives the same one and the master key itself is used for nothing else.
     */
    public byte[] derive(String purpose) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getEncoded(), "HmacSHA256"));
            return mac.doFinal(("ostium:" + purpose).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public String seal(String plaintext, String associatedData) {
        try {
            byte[] iv = new byte[12];
            RANDOM.nextBytes(iv);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
            c.updateAAD(associatedData.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = c.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
            return FORMAT + "." + b64.encodeToString(iv) + "." + b64.encodeToString(sealed);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable", e);
        }
    }

    public String open(String sealedValue, String associatedData) {
        String[] parts = sealedValue.split("\\.");
        if (parts.length != 3 || !FORMAT.equals(parts[0])) throw new IllegalArgumentException("not a sealed value");
        try {
            Base64.Decoder b64 = Base64.getUrlDecoder();
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, b64.decode(parts[1])));
            c.updateAAD(associatedData.getBytes(StandardCharsets.UTF_8));
            return new String(c.doFinal(b64.decode(parts[2])), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            throw new WrongKey(e);
        }
    }

    /** A sealed value that this key cannot open: another master key sealed it, or it was altered. */
    public static final class WrongKey extends IllegalStateException {
        WrongKey(Throwable cause) {
            super("cannot open a sealed value: wrong master key or altered data", cause);
        }
    }
}
