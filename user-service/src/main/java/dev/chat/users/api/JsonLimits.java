package dev.chat.users.api;

import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.chat.users.auth.AuthConfig;

import io.quarkus.jackson.ObjectMapperCustomizer;

/**
 * Bounds on every JSON body this service reads, set explicitly rather than left at Jackson's defaults (1,000 levels
 * deep, strings of 20 million characters): {@code chat.json.max-depth} levels of nesting,
 * {@code chat.json.max-string-chars} per string, {@code chat.json.max-number-chars} per number ({@link AuthConfig.Json}).
 * A body past them is refused 400 by {@link ErrorMappers}. (service-common's {@code JsonLimits} does the same for the
 * other services.)
 */
@Singleton
public class JsonLimits implements ObjectMapperCustomizer {
    // Read as plain properties: the mapper is made at static init, before config mappings such as AuthConfig exist
    // (AuthConfig.Json declares the same keys so that its mapping of the chat prefix accepts them).
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
