package dev.chat.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

import io.restassured.filter.Filter;
import io.restassured.response.Response;

/**
 * A service's committed OpenAPI document (docs/openapi/SERVICE.yaml) as a contract that live responses are checked
 * against: the operation must be in the document, the response's status must be one the operation declares, and a
 * JSON body must be valid against the schema the document gives for that status and media type. A JSON body where
 * the document gives no schema is a violation too (the document would be silent about it), and so is a field the
 * schema does not name: object schemas are read as closed, so the document lists every field a response carries.
 * It remembers which statuses each operation answered, so a test can show that it reached every operation.
 */
public final class OpenApiContract {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonSchemaFactory SCHEMAS = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);

    private final String name;
    private final JsonNode document;
    private final List<Route> routes = new ArrayList<>();
    private final Map<String, JsonSchema> compiled = new ConcurrentHashMap<>();
    private final Map<String, Set<Integer>> answered = new ConcurrentHashMap<>();

    private record Route(String template, Pattern pattern, int variables) {
    }

    /** One operation of the document, as a test drives it. */
    public record Operation(String method, String path, JsonNode node) {
        public String key() {
            return method + " " + path;
        }
    }

    private OpenApiContract(String name, JsonNode document) {
        this.name = name;
        this.document = document;
        for (Iterator<String> it = document.path("paths").fieldNames(); it.hasNext();) {
            String template = it.next();
            String regex = "\\Q" + template.replaceAll("\\{[^}/]+}", "\\\\E[^/]+\\\\Q") + "\\E";
            int variables = template.split("\\{", -1).length - 1;
            routes.add(new Route(template, Pattern.compile(regex), variables));
        }
        // JAX-RS prefers literal segments: /api/presence/nodes before /api/presence/{user}.
        routes.sort((a, b) -> Integer.compare(a.variables(), b.variables()));
    }

    /** The committed document at {@code relativePath} from the repository root (e.g. docs/openapi/chat-node.yaml). */
    public static OpenApiContract load(String relativePath) {
        try {
            JsonNode doc = new ObjectMapper(new YAMLFactory())
                    .readTree(CommittedDocument.repositoryRoot().resolve(relativePath).toFile());
            return new OpenApiContract(relativePath, doc);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every operation of the document, in a stable order. */
    public List<Operation> operations() {
        List<Operation> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = document.path("paths").fields(); paths.hasNext();) {
            Map.Entry<String, JsonNode> path = paths.next();
            for (Iterator<Map.Entry<String, JsonNode>> ops = path.getValue().fields(); ops.hasNext();) {
                Map.Entry<String, JsonNode> op = ops.next();
                out.add(new Operation(op.getKey().toUpperCase(Locale.ROOT), path.getKey(), op.getValue()));
            }
        }
        out.sort((a, b) -> a.key().compareTo(b.key()));
        return out;
    }

    /** A component schema by name ({@code #/components/schemas/NAME}), or a missing node. */
    public JsonNode schema(String componentName) {
        return document.path("components").path("schemas").path(componentName);
    }

    /** The target of a {@code $ref} within the document, or {@code node} itself when it is none. */
    public JsonNode resolve(JsonNode node) {
        String ref = node.path("$ref").asText(null);
        if (ref == null || !ref.startsWith("#/")) {
            return node;
        }
        return document.at(ref.substring(1));
    }

    /**
     * What is wrong with this response according to the document: an empty list when nothing is. {@code path} is
     * the request's path (with its query, which is ignored), {@code contentType} the response's header or null.
     */
    public List<String> violations(String method, String path, int status, String contentType, String body) {
        String raw = URI.create(path.replace(" ", "%20")).getRawPath();
        String m = method.toLowerCase(Locale.ROOT);
        String template = null;
        for (Route r : routes) {
            if (r.pattern().matcher(raw).matches() && document.path("paths").path(r.template()).has(m)) {
                template = r.template();
                break;
            }
        }
        String where = method + " " + raw + " -> " + status;
        if (template == null) {
            return List.of(where + ": no such operation in " + name);
        }
        String key = method.toUpperCase(Locale.ROOT) + " " + template;
        answered.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(status);
        JsonNode responses = document.path("paths").path(template).path(m).path("responses");
        String code = Integer.toString(status);
        JsonNode response = responses.has(code) ? responses.get(code) : responses.get("default");
        if (response == null) {
            return List.of(where + ": " + key + " does not declare status " + status + " (declares "
                    + fieldNames(responses) + ")");
        }
        boolean empty = body == null || body.isEmpty();
        JsonNode content = response.path("content");
        if (empty) {
            return List.of();
        }
        String media = contentType == null ? "" : contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
        if (content.isMissingNode() || content.isEmpty()) {
            return List.of(where + ": a " + media + " body where " + key + " " + status + " declares none: " + clip(body));
        }
        JsonNode declared = content.has(media) ? content.get(media) : content.get("*/*");
        if (declared == null) {
            return List.of(where + ": media type " + media + " not declared (declares " + fieldNames(content) + ")");
        }
        if (!media.equals("application/json")) {
            return List.of(); // images: the media type is the contract
        }
        if (!declared.has("schema")) {
            return List.of(where + ": a JSON body where " + key + " " + status + " has no schema: " + clip(body));
        }
        JsonNode value;
        try {
            value = JSON.readTree(body);
        } catch (IOException e) {
            return List.of(where + ": the body is not JSON: " + clip(body));
        }
        String pointer = "/paths/" + escape(template) + "/" + m + "/responses/" + (responses.has(code) ? code : "default")
                + "/content/" + escape(media) + "/schema";
        List<String> out = new ArrayList<>();
        for (ValidationMessage v : compiled.computeIfAbsent(pointer, p -> compile(declared.get("schema"))).validate(value)) {
            out.add(where + ": " + v.getMessage() + " in " + clip(body));
        }
        return out;
    }

    /** Fails with every violation of this response. */
    public void check(String method, String path, int status, String contentType, String body) {
        List<String> v = violations(method, path, status, contentType, body);
        if (!v.isEmpty()) {
            throw new AssertionError("the response breaks " + name + ":\n  " + String.join("\n  ", v));
        }
    }

    /**
     * A RestAssured filter that checks every response a test receives against the document (and so records it);
     * a violation fails the request at once.
     */
    public Filter filter() {
        return (request, response, ctx) -> {
            Response r = ctx.next(request, response);
            check(request.getMethod(), URI.create(request.getURI()).getRawPath(), r.statusCode(), r.contentType(),
                    r.asString());
            return r;
        };
    }

    /** The statuses each operation answered so far, by operation ("GET /api/users/{username}"). */
    public Map<String, Set<Integer>> answered() {
        Map<String, Set<Integer>> out = new TreeMap<>();
        answered.forEach((k, v) -> out.put(k, new TreeSet<>(v)));
        return out;
    }

    /** The operations of the document that never answered with a 2xx status. */
    public List<String> neverSucceeded() {
        List<String> out = new ArrayList<>();
        for (Operation op : operations()) {
            Set<Integer> s = answered.getOrDefault(op.key(), Set.of());
            if (s.stream().noneMatch(c -> c >= 200 && c < 300)) {
                out.add(op.key());
            }
        }
        return out;
    }

    /**
     * The schema with the document's components beside it (so {@code #/components/...} references resolve), and
     * every object schema that names its properties closed to others.
     */
    private JsonSchema compile(JsonNode schema) {
        ObjectNode root = schema.deepCopy();
        ObjectNode components = document.path("components").deepCopy();
        close(components);
        close(root);
        root.set("components", components);
        return SCHEMAS.getSchema(root);
    }

    private static void close(JsonNode node) {
        if (node instanceof ObjectNode o) {
            if (o.has("properties") && !o.has("additionalProperties") && !o.has("allOf")) {
                o.put("additionalProperties", false);
            }
            o.elements().forEachRemaining(OpenApiContract::close);
        } else if (node != null && node.isArray()) {
            node.elements().forEachRemaining(OpenApiContract::close);
        }
    }

    private static String escape(String segment) {
        return segment.replace("~", "~0").replace("/", "~1");
    }

    private static String fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return String.join(", ", names);
    }

    private static String clip(String body) {
        return body.length() > 300 ? body.substring(0, 300) + "..." : body;
    }
}
