package dev.ostium.web;

/**
 * A failure a person should read about, thrown from a page handler and rendered by {@link Pages} as the
 * error page: a status, a title and a message, both message-bundle keys (with {@code {0}} arguments).
 */
public final class PageProblem extends RuntimeException {

    public final int status;
    public final String titleKey;
    public final String messageKey;
    private final transient Object[] args;

    public PageProblem(int status, String titleKey, String messageKey, Object... args) {
        super(titleKey, null, false, false);
        this.status = status;
        this.titleKey = titleKey;
        this.messageKey = messageKey;
        this.args = args.clone();
    }

    public Object[] args() {
        return args.clone();
    }

    public static PageProblem badRequest(String messageKey, Object... args) {
        return new PageProblem(400, "error.bad_request.title", messageKey, args);
    }

    public static PageProblem forbidden(String messageKey, Object... args) {
        return new PageProblem(403, "error.forbidden.title", messageKey, args);
    }

    public static PageProblem notFound(String messageKey, Object... args) {
        return new PageProblem(404, "error.not_found.title", messageKey, args);
    }
}
