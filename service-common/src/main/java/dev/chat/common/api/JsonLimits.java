package dev.chat.common.api;

import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.jackson.ObjectMapperCustomizer;

/**
 * Bounds on every JSON document the service reads (REST bodies, and a chat node's socket frames, which use the
 * same mapper), set explicitly rather than left at Jackson's defaults (1,000 levels deep, strings of 20 million
 * characters): {@code chat.json.max-depth} levels of nesting, {@code chat.json.max-string-chars} per string,
 * {@code chat.json.max-number-chars} per number. A document past them is refused as malformed: 400
 * {@code invalid_request} (JsonErrorMappers), or a {@code bad_json} error frame.
 */
@Singleton
public class JsonLimits implements ObjectMapperCustomizer {
    @ConfigProperty(name = "chat.json.max-depth", defaultValue = "32")
    int maxDepth;
    @ConfigProperty(name = "chat.json.max-string-chars", defaultValue = "65536")
    int maxStringChars;
    @ConfigProperty(name = "chat.json.max-number-chars", defaultValue = "64")
    int maxNumberChars;

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(maxDepth)
                .maxStringLength(maxStringChars).maxNumberLength(maxNumberChars).build());
    }
}
