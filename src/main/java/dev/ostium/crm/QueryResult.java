package dev.ostium.crm;

import java.util.List;
import java.util.Map;

/**
 * What a query found: the rows of one page, and the query that returns the next page when there is one.
 *
 * @param count the number counted, for {@code count(*)} (rows then holds one row {"count": n})
 */
public record QueryResult(List<Map<String, Object>> rows, String next) {}
