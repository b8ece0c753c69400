package dev.chat.testing;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A seeded fuzzer of a REST API, driven by its committed OpenAPI document ({@link OpenApiContract}): request after
 * request, operation after operation in turn (so every endpoint gets its share), it builds a valid request from the
 * document (path and query parameters, a body from the request schema, with the test's example values by field name)
 * and then breaks one thing: a field of a wrong type, a huge string, deep JSON, Unicode and control characters, a
 * negative or huge number, a field missing or one extra, null, a body that is not JSON or not an object, a path or
 * query parameter of any of those, an unknown query parameter, no token or a bad one, another Content-Type, a path
 * the API does not have, a method it does not allow. The verdicts, for every answer: never a 5xx; every 4xx carries
 * the JSON error body ({@code {"error": CODE, "message": TEXT}}, CODE in lower snake case); and where the request
 * matched an operation, the answer is one the document declares (recorded, see {@link Report#contractNotes}).
 * Bounded by a request count and a deadline. The same seed gives the same requests (the answers may differ: the
 * server's state moves on).
 */
public final class RestFuzzer {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Pattern CODE = Pattern.compile("^[a-z][a-z0-9_]*$");
    private static final Pattern PARAM = Pattern.compile("\\{([^}/]+)}");
    /** Keeps every request line well under the services' 4 KiB limit (a longer one is the HTTP codec's 414). */
    private static final int MAX_PARAM_CHARS = 1_000;
    private static final String[] NASTY = {"", " ", "\u0000", "\u0007\u001b[2J", "' OR 1=1 --", "\"; DROP TABLE messages; --",
            "\ud83d\ude00\ud83d\ude00", "\u202e\u202d", "\\u0000", "%s%s%n", "../../etc/passwd", "<script>alert(1)</script>",
            "ａｄｍｉｎ", "null", "true", "1e309", "-0", "NaN", "{}", "[]", "%00", "%2F..%2F", "a/b", "..", "x\r\nX-Injected: 1",
            "\ud800", "\u00e9l\u00e8ve-\u5bc6\u7801", "*", "a,b,,c", ":", "$1"};
    private static final String[] METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"};

    private final OpenApiContract contract;
    private final URI base;
    private final Map<String, List<Object>> examples;
    private final Supplier<String> token;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    private final Map<String, String> headers = new java.util.LinkedHashMap<>();

    /**
     * @param contract the service's document
     * @param base the service's address (scheme, host, port)
     * @param examples valid values by parameter or property name (e.g. "username" to existing accounts, "id" to a
     *        group of the caller's), used for the parts of a request that are not being broken
     * @param token a valid bearer token for the fuzzing account, asked for each request
     */
    public RestFuzzer(OpenApiContract contract, URI base, Map<String, List<Object>> examples, Supplier<String> token) {
        this.contract = contract;
        this.base = base;
        this.examples = examples;
        this.token = token;
    }

    /**
     * Sends {@code name: value} with every request (never fuzzed). For {@code X-Forwarded-For} from loopback, a
     * trusted proxy: the fuzz's failed logins then throttle a source of its own, not 127.0.0.1, where the module's
     * other tests sign in (a full user-service run failed 11 of them with 401/429 after the fuzz).
     */
    public RestFuzzer withHeader(String name, String value) {
        headers.put(name, value);
        return this;
    }

    /** What a run found; {@link #failures} must be empty. */
    public static final class Report {
        public final long seed;
        public int requests;
        public final Map<Integer, Integer> statuses = new TreeMap<>();
        public final Map<String, Integer> codes = new TreeMap<>();
        public final List<String> failures = new ArrayList<>();
        public final List<String> contractNotes = new ArrayList<>();
        /** The contract notes by kind (operation, status, what): how often each. */
        public final Map<String, Integer> contractNoteKinds = new TreeMap<>();
        /** What requests broke: "METHOD PATH path|query|body NAME", each a {@link #targets} of its operation. */
        public final Set<String> broken = new TreeSet<>();
        /**
         * The targets of the document that no request of the run broke (the run ended first): must be empty for a
         * run to have fuzzed every endpoint and every field.
         */
        public final List<String> unbroken = new ArrayList<>();

        Report(long seed) {
            this.seed = seed;
        }

        @Override
        public String toString() {
            return "seed=" + seed + " requests=" + requests + " statuses=" + statuses + " error codes=" + codes
                    + " failures=" + failures.size() + " contract notes=" + contractNotes.size() + " " + contractNoteKinds
                    + " targets broken=" + broken.size() + " unbroken=" + unbroken;
        }
    }

    /** The seed of {@code -Dfuzz.seed}, else a new one. */
    public static long seed() {
        return Long.getLong("fuzz.seed", new Random().nextLong());
    }

    /**
     * Sends at most {@code requests} requests, stopping early at {@code deadline}; never throws for an answer, only
     * for a request it could not send at all (the service is gone). Each operation's first requests break its
     * {@link #targets} one after another (so a run of a few rounds of the operations has broken every parameter and
     * body field of every endpoint: {@link Report#unbroken} says what it has not); the rest break one thing at random.
     */
    public Report run(long seed, int requests, Duration deadline) {
        Random random = new Random(seed);
        Report report = new Report(seed);
        List<OpenApiContract.Operation> ops = contract.operations();
        Map<String, Integer> visits = new java.util.HashMap<>();
        long end = System.nanoTime() + deadline.toNanos();
        for (int i = 0; i < requests && System.nanoTime() < end; i++) {
            OpenApiContract.Operation op = ops.get(i % ops.size());
            List<String> targets = targets(op);
            int visit = visits.merge(op.key(), 1, Integer::sum) - 1;
            String forced = visit < targets.size() ? targets.get(visit) : null;
            Request request = forced == null && random.nextInt(12) == 0 ? stray(random) : request(op, random, forced);
            HttpResponse<String> response = send(request);
            report.requests++;
            report.broken.addAll(request.broke());
            judge(request, response, report);
        }
        for (OpenApiContract.Operation op : ops) {
            targets(op).stream().filter(t -> !report.broken.contains(t)).forEach(report.unbroken::add);
        }
        return report;
    }

    /**
     * What the fuzz breaks in an operation, each at least once in a run that gets far enough: every path parameter
     * ("METHOD PATH path NAME"), every query parameter ("... query NAME"), every property of a JSON body
     * ("... body NAME").
     */
    public List<String> targets(OpenApiContract.Operation op) {
        List<String> out = new ArrayList<>();
        Matcher m = PARAM.matcher(op.path());
        while (m.find()) {
            out.add(op.key() + " path " + m.group(1));
        }
        for (JsonNode p : op.node().path("parameters")) {
            if ("query".equals(p.path("in").asText())) {
                out.add(op.key() + " query " + p.path("name").asText());
            }
        }
        JsonNode schema = contract.resolve(op.node().path("requestBody").path("content").path("application/json").path("schema"));
        schema.path("properties").fieldNames().forEachRemaining(name -> out.add(op.key() + " body " + name));
        return out;
    }

    private record Request(String method, String path, String contentType, String body, String bearer, String what,
            List<String> broke) {
    }

    /** A request of {@code op} with one thing broken: {@code forced} (one of its {@link #targets}), else at random. */
    private Request request(OpenApiContract.Operation op, Random r, String forced) {
        List<String> broke = new ArrayList<>();
        String forcedKind = forced == null ? null : forced.substring(op.key().length() + 1).split(" ", 2)[0];
        String forcedName = forced == null ? null : forced.substring(op.key().length() + 1).split(" ", 2)[1];
        // One thing broken per request: which one.
        int breakWhat = forced == null ? r.nextInt(10) : switch (forcedKind) {
            case "path" -> 0;
            case "query" -> 3;
            default -> 6;
        };
        List<String> names = new ArrayList<>();
        Matcher m = PARAM.matcher(op.path());
        while (m.find()) {
            names.add(m.group(1));
        }
        String what = op.key();
        StringBuilder path = new StringBuilder();
        int pick = names.isEmpty() || breakWhat > 2 ? -1
                : "path".equals(forcedKind) ? names.indexOf(forcedName) : r.nextInt(names.size());
        m = PARAM.matcher(op.path());
        int at = 0;
        int n = 0;
        while (m.find()) {
            path.append(op.path(), at, m.start());
            String value;
            if (n == pick) {
                value = brokenScalar(r);
                what += " path " + m.group(1) + "=" + clip(value);
                broke.add(op.key() + " path " + m.group(1));
            } else {
                value = String.valueOf(example(m.group(1), r));
            }
            path.append(encode(value, r.nextInt(8) == 0));
            at = m.end();
            n++;
        }
        path.append(op.path().substring(at));
        List<String> query = new ArrayList<>();
        for (JsonNode p : op.node().path("parameters")) {
            if (!"query".equals(p.path("in").asText())) {
                continue;
            }
            String name = p.path("name").asText();
            if (breakWhat == 3 || breakWhat == 4) {
                String value = brokenScalar(r);
                query.add(name + "=" + encode(value, false));
                what += " query " + name + "=" + clip(value);
                broke.add(op.key() + " query " + name);
            } else if (r.nextBoolean()) {
                query.add(name + "=" + encode(String.valueOf(example(name, r)), false));
            }
        }
        if (breakWhat == 5 && r.nextBoolean()) {
            query.add(encode(brokenScalar(r), false) + "=" + encode(brokenScalar(r), false));
            what += " extra query parameter";
        }
        if (!query.isEmpty()) {
            path.append('?').append(String.join("&", query));
        }
        JsonNode bodySchema = op.node().path("requestBody").path("content");
        String contentType = null;
        String body = null;
        if (!bodySchema.isMissingNode()) {
            boolean json = bodySchema.has("application/json");
            contentType = json ? "application/json" : bodySchema.fieldNames().next().replace("*/*", "application/octet-stream");
            JsonNode valid = json ? instance(bodySchema.path("application/json").path("schema"), "", r, 0) : NODES.textNode("");
            if (breakWhat >= 6) {
                String[] broken = brokenBody(valid, r, "body".equals(forcedKind) ? forcedName : null);
                body = broken[0];
                what += " body " + broken[1];
                if (broken.length > 2) {
                    broke.add(op.key() + " body " + broken[2]);
                }
            } else {
                body = json ? valid.toString() : "";
            }
        }
        String bearer = token.get();
        if (breakWhat == 5 && r.nextBoolean()) {
            int k = r.nextInt(4);
            bearer = k == 0 ? null : k == 1 ? "not.a.token" : k == 2 ? bearer + "x" : brokenScalar(r).replaceAll("[^\\x21-\\x7e]", "");
            what += " token " + (k == 0 ? "none" : "bad");
        } else if (breakWhat == 5 && contentType != null) {
            contentType = r.nextBoolean() ? "text/plain" : "application/x-www-form-urlencoded";
            what += " content-type " + contentType;
        }
        return new Request(op.method(), path.toString(), contentType, body, bearer, what, broke);
    }

    /** A request to no operation: an unknown path under /api, or a method the path does not allow. */
    private Request stray(Random r) {
        List<OpenApiContract.Operation> ops = contract.operations();
        OpenApiContract.Operation op = ops.get(r.nextInt(ops.size()));
        String path = PARAM.matcher(op.path()).replaceAll(x -> Matcher.quoteReplacement(String.valueOf(example(x.group(1), r))));
        String method = op.method();
        switch (r.nextInt(4)) {
            case 0 -> path = path + "/" + encode(brokenScalar(r), false);
            case 1 -> path = "/api/" + encode(brokenScalar(r), true);
            case 2 -> path = path.replaceFirst("/api/", "/api/" + (r.nextBoolean() ? "../" : "./") );
            default -> method = METHODS[r.nextInt(METHODS.length)];
        }
        return new Request(method, path.isEmpty() ? "/" : path, "application/json", "{}", token.get(),
                "stray " + method + " " + clip(path), List.of());
    }

    private Object example(String name, Random r) {
        List<Object> values = examples.get(name);
        if (values == null || values.isEmpty()) {
            return "x" + r.nextInt(1000);
        }
        return values.get(r.nextInt(values.size()));
    }

    /** A valid-looking instance of a schema, property values from the examples where there are some. */
    private JsonNode instance(JsonNode schema, String name, Random r, int depth) {
        JsonNode s = contract.resolve(schema);
        String type = s.path("type").asText("");
        if (depth > 4) {
            return NODES.nullNode();
        }
        switch (type) {
            case "object": {
                ObjectNode o = NODES.objectNode();
                for (Iterator<Map.Entry<String, JsonNode>> it = s.path("properties").fields(); it.hasNext();) {
                    Map.Entry<String, JsonNode> p = it.next();
                    o.set(p.getKey(), instance(p.getValue(), p.getKey(), r, depth + 1));
                }
                return o;
            }
            case "array": {
                ArrayNode a = NODES.arrayNode();
                for (int i = r.nextInt(3); i > 0; i--) {
                    a.add(instance(s.path("items"), name, r, depth + 1));
                }
                return a;
            }
            default:
                break;
        }
        if (examples.containsKey(name)) {
            return JSON.valueToTree(example(name, r));
        }
        return switch (type) {
            case "integer", "number" -> NODES.numberNode(r.nextInt(1000));
            case "boolean" -> NODES.booleanNode(r.nextBoolean());
            default -> NODES.textNode("fuzz" + r.nextInt(1000));
        };
    }

    /**
     * The valid body with one thing broken, and what: {body, description}, or {body, description, field} when a
     * field's value was broken. {@code forcedField}: that field's value is the thing broken.
     */
    private String[] brokenBody(JsonNode valid, Random r, String forcedField) {
        boolean forced = forcedField != null && valid instanceof ObjectNode f && f.has(forcedField);
        if (forced || valid instanceof ObjectNode o0 && o0.size() > 0 && r.nextInt(4) != 0) {
            ObjectNode o = (ObjectNode) valid;
            List<String> fields = new ArrayList<>();
            o.fieldNames().forEachRemaining(fields::add);
            String field = forced ? forcedField : fields.get(r.nextInt(fields.size()));
            ObjectNode copy = o.deepCopy();
            int k = forced ? 2 : r.nextInt(4);
            if (k == 0) {
                copy.remove(field);
                return new String[] {copy.toString(), "without " + field};
            }
            if (k == 1) {
                copy.set(brokenScalar(r), brokenValue(r));
                return new String[] {copy.toString(), "with an extra field"};
            }
            // Spliced as text: deep JSON and huge strings are written out rather than built as trees.
            String broken = brokenValueText(r);
            copy.put(field, "@@FUZZ@@");
            return new String[] {copy.toString().replace("\"@@FUZZ@@\"", broken), field + "=" + clip(broken), field};
        }
        return switch (r.nextInt(8)) {
            case 0 -> new String[] {"", "empty"};
            case 1 -> new String[] {"null", "null"};
            case 2 -> new String[] {"[" + valid + "]", "an array"};
            case 3 -> new String[] {valid.toString().substring(0, Math.max(0, valid.toString().length() / 2)), "cut"};
            case 4 -> new String[] {"{".repeat(r.nextInt(200)) + "}".repeat(r.nextInt(200)), "braces"};
            case 5 -> new String[] {FuzzText.random(r, r.nextInt(300)), "text"};
            case 6 -> new String[] {valid + valid.toString(), "two documents"};
            default -> new String[] {valid.toString().replaceFirst("\\{", "{\"" + "k".repeat(r.nextInt(100)) + "\":1,"), "leading field"};
        };
    }

    private JsonNode brokenValue(Random r) {
        try {
            return JSON.readTree(brokenValueText(r));
        } catch (IOException e) {
            return NODES.nullNode();
        }
    }

    /** A JSON value of the kind that breaks fields: wrong types, huge, deep, negative, odd characters. */
    private static String brokenValueText(Random r) {
        return switch (r.nextInt(12)) {
            case 0 -> "null";
            case 1 -> Long.toString(r.nextLong());
            case 2 -> "-" + (1 + r.nextInt(1000));
            case 3 -> r.nextBoolean() ? "true" : "1.5e308";
            case 4 -> "\"" + "x".repeat(r.nextBoolean() ? 70_000 : r.nextInt(5_000)) + "\"";
            case 5 -> "[".repeat(40 + r.nextInt(60)) + "]".repeat(40 + r.nextInt(60));
            case 6 -> "{\"a\":".repeat(20 + r.nextInt(30)) + "1" + "}".repeat(20 + r.nextInt(30));
            case 7 -> "{\"$ne\":null}";
            case 8 -> "[\"a\",1,null,{}]";
            case 9 -> "99999999999999999999999999999";
            default -> "\"" + FuzzText.jsonEscape(NASTY[r.nextInt(NASTY.length)]) + "\"";
        };
    }

    /** A parameter value that is wrong somehow. */
    private static String brokenScalar(Random r) {
        return switch (r.nextInt(8)) {
            case 0 -> Long.toString(r.nextLong());
            case 1 -> "-" + r.nextInt(1000);
            case 2 -> "x".repeat(r.nextInt(MAX_PARAM_CHARS / 3));
            case 3 -> FuzzText.random(r, r.nextInt(60));
            case 4 -> "0";
            case 5 -> "99999999999999999999";
            default -> NASTY[r.nextInt(NASTY.length)];
        };
    }

    private HttpResponse<String> send(Request q) {
        HttpRequest.Builder b;
        try {
            b = HttpRequest.newBuilder(base.resolve(q.path())).timeout(Duration.ofSeconds(60));
        } catch (IllegalArgumentException e) {
            b = HttpRequest.newBuilder(base.resolve("/api/%25")).timeout(Duration.ofSeconds(60));
        }
        HttpRequest.BodyPublisher body = q.body() == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(q.body());
        b.method(q.method(), body);
        if (q.contentType() != null) {
            b.header("Content-Type", q.contentType());
        }
        if (q.bearer() != null) {
            b.header("Authorization", "Bearer " + q.bearer());
        }
        headers.forEach(b::header);
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AssertionError("no answer to " + q.what() + " (" + q.method() + " " + clip(q.path()) + "): " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private void judge(Request q, HttpResponse<String> a, Report report) {
        int status = a.statusCode();
        report.statuses.merge(status, 1, Integer::sum);
        String where = q.what() + " -> " + status;
        if (status >= 500) {
            report.failures.add(where + ": a server error: " + clip(a.body()));
            return;
        }
        String type = a.headers().firstValue("Content-Type").orElse("");
        if (status >= 400) {
            JsonNode error = null;
            try {
                error = type.startsWith("application/json") ? JSON.readTree(a.body()) : null;
            } catch (IOException e) {
                // reported below
            }
            if (error == null || !error.path("error").isTextual() || !error.path("message").isTextual()
                    || !CODE.matcher(error.path("error").asText()).matches()) {
                report.failures.add(where + ": not the JSON error body (" + type + "): " + clip(a.body()));
                return;
            }
            report.codes.merge(status + " " + error.path("error").asText(), 1, Integer::sum);
        }
        if (!q.what().startsWith("stray")) {
            String path = a.request().uri().getRawPath();
            for (String v : contract.violations(q.method(), path, status, type, a.body())) {
                report.contractNotes.add(q.what() + ": " + v);
                String[] words = q.what().split(" ", 3);
                String why = v.substring(v.indexOf(": ") + 2);
                report.contractNoteKinds.merge(words[0] + " " + words[1] + " -> " + status + ": "
                        + (why.contains(" declare") ? why.replaceAll(" \\(declares.*", "") : clip(why)), 1, Integer::sum);
            }
        }
    }

    private static String encode(String value, boolean keepSlashes) {
        String e = URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
        return keepSlashes ? e.replace("%2F", "/") : e;
    }

    private static String clip(String s) {
        if (s == null) {
            return "null";
        }
        String t = s.length() > 120 ? s.substring(0, 120) + "...(" + s.length() + " chars)" : s;
        return t.replaceAll("[\\x00-\\x1f]", "?");
    }

    /** Example values as a map, for the constructor: name, values, name, values, ... */
    public static Map<String, List<Object>> examples(Object... pairs) {
        Map<String, List<Object>> out = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            Object v = pairs[i + 1];
            out.put((String) pairs[i], v instanceof List<?> l ? new ArrayList<>(l) : List.of(v));
        }
        return out;
    }
}
