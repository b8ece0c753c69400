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
 * into SQL twice, into the expression of the GIN index {@code messages_search} (migration V40, as Flyway's placeholder
 * {@code search_language}) and into every query ({@link MessageSearch}); the index serves a query only when the two
 * name the same configuration.
 *
 * <p>Checked at start, before the migration ({@code SchemaMigration}): a name that is not a configuration of the
 * database stops the node with a message naming the setting, instead of failing V40 with PostgreSQL's words or, on a
 * database V40 already built, every search later. Which index matches is looked at after the migration: none (the
 * language was changed without building its index, docs/operations.md) is logged, as searches then scan the table.
 */
@Singleton
public class SearchLanguage {
    /** A configuration's name as this node writes it into SQL: lower-case letters and _, no schema, no quoting. */
    private static final Pattern NAME = Pattern.compile("[a-z_]{1,63}");
    /** Resolved as {@code 'name'::regconfig} resolves it: along the search path. */
    private static final String KNOWN = "SELECT count(*) FROM pg_ts_config c JOIN pg_namespace n ON n.oid = c.cfgnamespace"
            + " WHERE c.cfgname = ? AND n.nspname = ANY (current_schemas(true))";
    private static final String INDEXES = "SELECT indexdef FROM pg_indexes WHERE tablename = 'messages'";

    private final String name;

    SearchLanguage(@ConfigProperty(name = "chat.search.language") String name) {
        this.name = name;
    }

    /** The configuration's name, as the index expression and the queries write it. */
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

    /**
     * Whether an index of {@code messages} is on this language's expression (V40's, or one an operator built for a
     * new language as docs/operations.md says): without one, searches are right but scan the table.
     */
    public boolean indexed(Connection c) throws SQLException {
        String expression = "to_tsvector('" + name + "'::regconfig, body)";
        try (PreparedStatement ps = c.prepareStatement(INDEXES); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                if (rs.getString(1).contains(expression)) {
                    return true;
                }
            }
            return false;
        }
    }
}
