package dev.chat.node.history;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.regex.Pattern;

import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The text-search configuration of search ({@code chat.search.language}): its stemming and stop words. It is written
 * into SQL by the indexer ({@link PgIndexPass}, which records it beside its index, {@code search_progress.language})
 * and into every query ({@link MessageSearch}, which uses the index only when the recorded language is its own). A
 * change of language needs nothing but the setting: the indexer builds its index again (docs/operations.md).
 * (Migration V40 still names it, as Flyway's placeholder {@code search_language}, for the index V60 drops.)
 *
 * <p>Checked at start, before the migration ({@code SchemaMigration}): a name that is not a configuration of the
 * database stops the node with a message naming the setting, instead of failing every search and indexing pass later.
 */
@Singleton
public class SearchLanguage {
    /** A configuration's name as this node writes it into SQL: lower-case letters and _, no schema, no quoting. */
    private static final Pattern NAME = Pattern.compile("[a-z_]{1,63}");
    /** Resolved as {@code 'name'::regconfig} resolves it: along the search path. */
    private static final String KNOWN = "SELECT count(*) FROM pg_ts_config c JOIN pg_namespace n ON n.oid = c.cfgnamespace"
            + " WHERE c.cfgname = ? AND n.nspname = ANY (current_schemas(true))";

    private final String name;

    SearchLanguage(@ConfigProperty(name = "chat.search.language") String name) {
        this.name = name;
    }

    /** The configuration's name, as the indexer and the queries write it. */
    public String name() {
        return name;
    }

    /** Why the name cannot be written into SQL (null if it can): the check that needs no database. */
    public String malformed() {
        return NAME.matcher(name).matches() ? null
                : "chat.search.language must be a text-search configuration's name (lower-case letters and _, e.g. "
                        + "english, german, simple), not '" + name + "'";
    }

    /**
     * Why search cannot run in this language on the database of {@code c} (null if it can): a malformed name, or
     * one PostgreSQL has no configuration of ({@code SELECT cfgname FROM pg_ts_config} lists them).
     *
     * @throws SQLException when the database did not answer (a reason to try again, not a refusal)
     */
    public String refusal(Connection c) throws SQLException {
        String malformed = malformed();
        if (malformed != null) {
            return malformed;
        }
        try (PreparedStatement ps = c.prepareStatement(KNOWN)) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1) > 0 ? null
                        : "chat.search.language is '" + name + "', which is no text-search configuration of this "
                                + "database (SELECT cfgname FROM pg_ts_config lists them)";
            }
        }
    }
}
