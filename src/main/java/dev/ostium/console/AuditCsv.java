package dev.ostium.console;

import dev.ostium.audit.AuditTrail;
import io.javalin.http.Context;
import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;

/** The audit trail as a CSV download, for the console page and the admin API alike. */
final class AuditCsv {

    private AuditCsv() {}

    /**
     * Writes the matching events to the response as they are read (the whole trail of a busy server does
     * not fit in memory), so every header is set before the first row.
     */
    static void send(Context ctx, AuditTrail audit, AuditTrail.Filter filter) {
        ctx.contentType("text/csv; charset=UTF-8").header("Content-Disposition", "attachment; filename=\"audit.csv\"")
                .header("Cache-Control", "no-store");
        audit.csv(filter, new BufferedWriter(new OutputStreamWriter(ctx.outputStream(), StandardCharsets.UTF_8), 65536));
    }
}
