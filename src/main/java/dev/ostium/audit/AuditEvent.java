package dev.ostium.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.Map;

/**
 * One entry of the audit trail.
 *
 * @param kind        what happened, e.g. {@code app.created}, {@code login.failed}, {@code consent.revoked}
 * @param actor       who did it: a username, or the client id of an app acting for itself; for a failed
 *                    login the account name that was tried
 * @param clientId    the app concerned, if any
 * @param subjectUser the user concerned, if any (a disabled user, the person of a consent)
 * @param address     where the request came from
 * @param detail      a short JSON object of particulars (fields changed, scopes), never a secret
 */
public record AuditEvent(long id, Instant occurredAt, String kind, String actor, String clientId, String subjectUser,
                         String address, String detail) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** An event about to be recorded (the trail assigns the id and the time); detail may be null. */
    public static AuditEvent of(String kind, String actor, String clientId, String subjectUser, String address,
                                Map<String, ?> detail) {
        String d;
        try {
            d = detail == null || detail.isEmpty() ? null : JSON.writeValueAsString(detail);
        } catch (JsonProcessingException e) {
            d = String.valueOf(detail);
        }
        return new AuditEvent(0, null, kind, actor, clientId, subjectUser, address, d);
    }
}
