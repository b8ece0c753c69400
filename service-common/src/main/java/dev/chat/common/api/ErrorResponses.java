package dev.chat.common.api;

import java.util.List;
import java.util.Map;

import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.Components;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.media.Content;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;

/**
 * Makes each service's OpenAPI document say what every service does for every refusal, which the scanner cannot see
 * in the code: every 4xx and 5xx answer carries the one error body ({@link ApiError}, the component
 * {@code ApiError}) unless the operation names another schema; every operation that takes a body may answer 413
 * {@code body_too_large} ({@link BodyLimit}), and one that takes JSON 400 {@code malformed_json} or
 * {@code invalid_request}, or 415 {@code unsupported_media_type} for another Content-Type ({@link JsonErrorMappers}). Run by each service as {@code mp.openapi.filter}, at build time.
 */
public class ErrorResponses implements OASFilter {
    static final String SCHEMA = "ApiError";
    static final String REF = "#/components/schemas/" + SCHEMA;

    @Override
    public void filterOpenAPI(OpenAPI api) {
        if (api.getComponents() == null) {
            api.setComponents(OASFactory.createComponents());
        }
        Components components = api.getComponents();
        components.addSchema(SCHEMA, OASFactory.createSchema()
                .description("The error body of every refusal: a stable code for programs, a sentence for people.")
                .type(List.of(Schema.SchemaType.OBJECT)).addRequired("error").addRequired("message")
                .addProperty("error", OASFactory.createSchema().type(List.of(Schema.SchemaType.STRING))
                        .pattern("^[a-z][a-z0-9_]*$").description("what went wrong, e.g. invalid_request"))
                .addProperty("message", OASFactory.createSchema().type(List.of(Schema.SchemaType.STRING))));
        if (api.getPaths() == null || api.getPaths().getPathItems() == null) {
            return;
        }
        for (PathItem item : api.getPaths().getPathItems().values()) {
            if (item.getOperations() == null) {
                continue;
            }
            for (Operation op : item.getOperations().values()) {
                describe(op);
            }
        }
    }

    private static void describe(Operation op) {
        APIResponses responses = op.getResponses();
        if (responses == null) {
            return;
        }
        if (op.getRequestBody() != null && op.getRequestBody().getContent() != null) {
            Map<String, ?> types = op.getRequestBody().getContent().getMediaTypes();
            boolean json = types != null && types.containsKey("application/json");
            if (json && !responses.hasAPIResponse("400")) {
                responses.addAPIResponse("400", OASFactory.createAPIResponse()
                        .description("malformed_json, or invalid_request: the body is not of the expected shape"));
            }
            if (json && !responses.hasAPIResponse("415")) {
                responses.addAPIResponse("415", OASFactory.createAPIResponse()
                        .description("unsupported_media_type: the body is not sent as application/json"));
            }
            if (!responses.hasAPIResponse("413")) {
                responses.addAPIResponse("413", OASFactory.createAPIResponse()
                        .description("body_too_large: the body is over the service's limit"));
            }
        }
        for (Map.Entry<String, APIResponse> e : responses.getAPIResponses().entrySet()) {
            String code = e.getKey();
            APIResponse response = e.getValue();
            boolean error = code.startsWith("4") || code.startsWith("5");
            if (error && (response.getContent() == null || response.getContent().getMediaTypes() == null
                    || response.getContent().getMediaTypes().isEmpty())) {
                Content content = OASFactory.createContent().addMediaType("application/json",
                        OASFactory.createMediaType().schema(OASFactory.createSchema().ref(REF)));
                response.setContent(content);
            }
        }
    }
}
