package dev.ostium;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.nimbusds.oauth2.sdk.id.Audience;
import dev.ostium.account.AccountPages;
import dev.ostium.account.ConnectedApps;
import dev.ostium.account.ConnectedAppsPages;
import dev.ostium.account.Login;
import dev.ostium.apps.AppRegistry;
import dev.ostium.apps.ClientTemplates;
import dev.ostium.audit.AuditTrail;
import dev.ostium.config.Config;
import dev.ostium.console.AdminApi;
import dev.ostium.console.AdminAuth;
import dev.ostium.console.ConsolePages;
import dev.ostium.console.CrmAdminApi;
import dev.ostium.console.ShownOnce;
import dev.ostium.crm.ChangeLog;
import dev.ostium.crm.DemoData;
import dev.ostium.crm.Records;
import dev.ostium.crm.Sharing;
import dev.ostium.crm.Visibility;
import dev.ostium.db.ChangeFeed;
import dev.ostium.db.DataDirectory;
import dev.ostium.db.Database;
import dev.ostium.directory.Authenticator;
import dev.ostium.directory.Directory;
import dev.ostium.directory.LoginSessions;
import dev.ostium.directory.PasswordLogin;
import dev.ostium.directory.Roles;
import dev.ostium.keys.MasterKey;
import dev.ostium.keys.SigningKeys;
import dev.ostium.oauth.AuthorizationCodeGrant;
import dev.ostium.oauth.AuthorizationCodes;
import dev.ostium.oauth.AuthorizationEndpoint;
import dev.ostium.oauth.ClientAuthenticator;
import dev.ostium.oauth.ClientCredentialsGrant;
import dev.ostium.oauth.ConnectionRules;
import dev.ostium.oauth.Consents;
import dev.ostium.oauth.Cors;
import dev.ostium.oauth.Discovery;
import dev.ostium.oauth.EndSessionEndpoint;
import dev.ostium.oauth.IdTokens;
import dev.ostium.oauth.IntrospectionEndpoint;
import dev.ostium.oauth.JwtBearerGrant;
import dev.ostium.oauth.OAuthRoutes;
import dev.ostium.oauth.RefreshTokenGrant;
import dev.ostium.oauth.ResourceIndicator;
import dev.ostium.oauth.RevocationEndpoint;
import dev.ostium.oauth.ServiceAccountPolicy;
import dev.ostium.oauth.SpentAssertions;
import dev.ostium.oauth.TokenEndpoint;
import dev.ostium.oauth.UserInfoEndpoint;
import dev.ostium.restapi.BearerToken;
import dev.ostium.restapi.OpenApi;
import dev.ostium.restapi.ResourceMetadata;
import dev.ostium.restapi.RestApi;
import dev.ostium.settings.Settings;
import dev.ostium.tokens.AccessTokens;
import dev.ostium.tokens.Housekeeping;
import dev.ostium.tokens.RememberedRefreshTokens;
import dev.ostium.tokens.Rotations;
import dev.ostium.tokens.TokenFamilies;
import dev.ostium.tokens.TokenKeys;
import dev.ostium.tokens.TokenRecorder;
import dev.ostium.tokens.TokenStore;
import dev.ostium.web.Cookies;
import dev.ostium.web.HttpServer;
import dev.ostium.web.Messages;
import dev.ostium.web.Pages;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One running node: every feature wired together over one database. */
public final class Ostium implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Ostium.class);
    /** Retired signing keys stay published this long: longer than any access token can live (24 h max). */
    private static final Duration KEY_OVERLAP = Duration.ofHours(25);

    /** Every feature's strings (English and Italian); a feature with pages adds its bundle here. */
    public static final List<String> MESSAGE_BUNDLES = List.of("dev.ostium.web.messages", "dev.ostium.account.messages",
            "dev.ostium.oauth.messages", "dev.ostium.console.messages");

    public final Config config;
    public final Database db;
    public final Directory directory;
    /** The audit trail every feature records its events in. */
    public final AuditTrail audit;
    /** Username-and-password checks, throttled and recorded: every login form and Basic login goes through it. */
    public final PasswordLogin passwordLogin;
    public final LoginSessions loginSessions;
    public final AppRegistry apps;
    public final ClientTemplates templates;
    public final Settings settings;
    public final SigningKeys keys;
    public final TokenStore tokenStore;
    public final TokenRecorder recorder;
    public final AccessTokens tokens;
    public final TokenFamilies families;
    private final Rotations rotations;
    public final Consents consents;
    public final AuthorizationCodes codes;
    public final ConnectionRules rules;
    public final IdTokens idTokens;
    private final ChangeFeed changes;
    private final Housekeeping housekeeping;
    private final HttpServer http;

    public Ostium(Config config) {
        this(config, Clock.systemUTC());
    }

    public Ostium(Config config, Clock clock) {
        this(config, clock, null);
    }

    /**
     * @param authenticator how username and password are checked (login page and admin API); null for the
     *                      directory's Argon2id hashes
     */
    public Ostium(Config config, Clock clock, Authenticator authenticator) {
        this.config = config;
        try {
            if (config.embeddedDatabase() || config.masterKey() == null) DataDirectory.prepare(config.dataDir());
        } catch (java.io.IOException | RuntimeException e) {
            throw StartupException.from("cannot prepare the data directory " + config.dataDir(), e);
        }
        try {
            this.db = Database.open(config);
            DataDirectory.restrictFiles(config.dataDir());
        } catch (java.io.IOException | RuntimeException e) {
            throw StartupException.from("cannot open the database " + redact(config.dbUrl()), e);
        }
        try {
            ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule())
                    .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
                    .configure(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY, true)
                    // A field given twice is a mistake to report, not a choice to make for the sender.
                    .configure(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION, true);
            changes = new ChangeFeed(db, clock);
            directory = new Directory(db, changes, clock);
            audit = new AuditTrail(db, clock);
            passwordLogin = authenticator == null ? new PasswordLogin(directory, audit, clock)
                    : new PasswordLogin(authenticator, audit, clock);
            loginSessions = new LoginSessions(db, clock, config.loginIdleTimeout(), config.loginAbsoluteTimeout());
            settings = new Settings(db, changes);
            MasterKey masterKey = MasterKey.load(config);
            keys = new SigningKeys(db, masterKey, changes, clock, KEY_OVERLAP);
            try {
                keys.init();
            } catch (MasterKey.WrongKey e) {
                throw new StartupException("the master key does not open this database's signing keys: start with the "
                        + "master key this database was created with (OSTIUM_MASTER_KEY or DATA_DIR/master.key)", e);
            }
            templates = new ClientTemplates(db, changes, clock);
            apps = new AppRegistry(db, directory, templates, changes, clock, config.clientIdPrefix());
            tokenStore = new TokenStore(db, changes, clock);
            recorder = new TokenRecorder(db);
            TokenKeys tokenKeys = new TokenKeys(db);
            tokens = new AccessTokens(recorder, tokenKeys, tokenStore, apps, directory, settings, keys, changes, clock,
                    config.issuer(), config.accessTokenTtl());

            Discovery.Endpoints endpoints = Discovery.Endpoints.of(config.issuer());
            Set<Audience> audiences = Set.of(new Audience(endpoints.issuer()), new Audience(endpoints.token()),
                    new Audience(endpoints.introspection()), new Audience(endpoints.revocation()));
            SpentAssertions spent = new SpentAssertions(db);
            ClientAuthenticator clients = new ClientAuthenticator(apps, spent, audit, clock, audiences);
            ServiceAccountPolicy policy = new ServiceAccountPolicy(directory, settings);
            families = new TokenFamilies(db, changes, clock);
            // Issue item 7: disabling a user ends every refresh-token family of theirs, for good.
            TokenFamilies ending = families;
            directory.whenDisabled(userId -> ending.revokeAll(userId, null, "user disabled"));
            apps.whenDeleting(TokenFamilies::deleteRefreshTokensOfApp);
            rotations = new Rotations(db);
            consents = new Consents(db, families, clock);
            codes = new AuthorizationCodes(db, clock);
            rules = new ConnectionRules(apps, directory, settings, clock);
            // Issue item 5: a person no longer allowed to connect to an app keeps no family of it, so allowing
            // them again brings nothing back.
            ConnectionRules allowed = rules;
            apps.whenAccessChanged(appId -> allowed.endRefused(ending, appId));
            settings.whenUpdated((before, after) -> {
                if (before.adminConnections() && !after.adminConnections()) allowed.endRefused(ending, null);
            });
            idTokens = new IdTokens(keys, config.issuer());
            ResourceIndicator resourceIndicator = new ResourceIndicator(tokens.audience());
            RefreshTokenGrant refreshGrant = new RefreshTokenGrant(clients, rules, tokens, tokenKeys, tokenStore, idTokens, families,
                    masterKey.derive("refresh-successors"), rotations, new RememberedRefreshTokens(), audit, apps, clock);
            TokenEndpoint tokenEndpoint = new TokenEndpoint(policy, new ClientCredentialsGrant(clients, policy, tokens),
                    new JwtBearerGrant(apps, clients, policy, spent, tokens, clock,
                            Set.of(new Audience(endpoints.issuer()), new Audience(endpoints.token()))),
                    new AuthorizationCodeGrant(clients, codes, rules, consents, tokens, tokenKeys, idTokens, families, audit, db, clock),
                    refreshGrant, resourceIndicator);
            Discovery discovery = new Discovery(endpoints);
            OAuthRoutes oauth = new OAuthRoutes(discovery, keys, tokenEndpoint,
                    new IntrospectionEndpoint(clients, tokens, refreshGrant, config.issuer()), new RevocationEndpoint(clients, tokens, families, audit),
                    new UserInfoEndpoint(tokens), new Cors(apps));
            Sharing sharing = new Sharing(db, changes);
            Visibility visibility = new Visibility(sharing::of);
            ChangeLog changeLog = new ChangeLog(db, clock);
            Records records = new Records(db, visibility, changeLog, clock, config.maxRows());
            String issuer = config.issuer().toString();
            RestApi restApi = new RestApi(new BearerToken(tokens, ResourceMetadata.urlFor(issuer)), records, sharing,
                    new Roles(db), () -> settings.get().adminConnections(), json,
                    new OpenApi(issuer, endpoints.authorization().toString(), endpoints.token().toString(), json),
                    new ResourceMetadata(issuer, tokens.audience(), json));
            CrmAdminApi crmAdmin = new CrmAdminApi(changeLog, sharing, directory, json);
            AdminApi adminApi = new AdminApi(new AdminAuth(directory, passwordLogin), apps, templates, consents, directory, tokenStore, settings, keys,
                    endpoints, audit, json, tokens);

            if (directory.isEmpty()) {
                if (config.demo()) new DemoData(db, directory).load();
                else DemoData.firstAdmin(directory, config.adminPassword());
            }
            Messages messages = new Messages(MESSAGE_BUNDLES);
            Pages pages = new Pages(messages, new Cookies("https".equals(config.issuer().getScheme())));
            Login login = new Login(loginSessions, pages.cookies());
            AccountPages accountPages = new AccountPages(pages, login, passwordLogin, directory);
            AuthorizationEndpoint authorize = new AuthorizationEndpoint(apps, login, pages, rules, consents, codes, resourceIndicator,
                    audit, config.issuer(), idTokens, masterKey.derive("forced-login-marker"), clock);
            EndSessionEndpoint endSession = new EndSessionEndpoint(apps, login, pages, idTokens, directory);
            ConnectedAppsPages connectedApps = new ConnectedAppsPages(pages, login, directory,
                    new ConnectedApps(db, apps, consents, tokenStore, settings, audit, clock), apps);
            ShownOnce shownOnce = new ShownOnce(db, masterKey, clock);
            ConsolePages consolePages = new ConsolePages(pages, login, directory, apps, templates, tokenStore, settings, audit,
                    shownOnce, config.issuer().toString(), discovery.openidConfiguration());

            housekeeping = new Housekeeping(tokenStore, families, keys, changes, audit, loginSessions,
                    config.tokenRetention(), config.auditRetention());
            housekeeping.alsoSweep(shownOnce::deleteExpired);
            http = new HttpServer(config.host(), config.port(), json, pages,
                    List.of(oauth::routes, restApi::routes, adminApi::routes, crmAdmin::routes, accountPages::routes,
                            authorize::routes, endSession::routes, connectedApps::routes, consolePages::routes));
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
    }

    public Ostium start() {
        changes.start();
        housekeeping.start();
        try {
            http.start();
        } catch (RuntimeException e) {
            close();
            throw StartupException.from("cannot listen on " + config.host() + ":" + config.port(), e);
        }
        // Once the server listens: unpacking and testing the native library would delay readiness by ~0.3 s.
        SigningKeys.loadNativeSigner();
        log.info("Ostium is serving {} (listening on {}:{}, database {})", config.issuer(), config.host(), http.port(),
                config.embeddedDatabase() ? "embedded H2 in " + config.dataDir() : "PostgreSQL");
        return this;
    }

    public int port() {
        return http.port();
    }

    /** A JDBC URL without anything that looks like a password parameter. */
    private static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^&;]*", "$1***");
    }

    @Override
    public void close() {
        http.stop();
        housekeeping.close();
        recorder.close();
        rotations.close();
        changes.close();
        db.close();
    }
}
