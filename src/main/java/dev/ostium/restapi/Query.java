package dev.ostium.restapi;

import dev.ostium.crm.Module;
import java.util.List;

/** A parsed query: what to select, from which module, under which conditions, in which order, how many. */
public record Query(Module module, List<String> fields, List<Condition> where, String orderBy, boolean descending, int limit) {

    public record Condition(String field, String operator, Object value) {}
}
