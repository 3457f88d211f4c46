package dev.ostium.testing;

import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;

/**
 * Base of the endpoint tests: each concrete class is annotated
 * {@code @ParameterizedClass @EnumSource(TestDatabase.class)} and runs once on H2 and once on
 * PostgreSQL, against one real server per run.
 */
public abstract class ServerTest {

    @Parameter
    protected TestDatabase database;

    protected static TestServer server;

    @BeforeParameterizedClassInvocation
    static void startServer(TestDatabase database) {
        server = TestServer.start(database);
    }

    @AfterParameterizedClassInvocation
    static void stopServer() {
        if (server != null) server.destroy();
        server = null;
    }
}
