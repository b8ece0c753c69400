package dev.chat.users.api;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

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
    @Inject
    AuthConfig config;

    @Override
    public void customize(ObjectMapper mapper) {
        AuthConfig.Json json = config.json();
        mapper.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(json.maxDepth())
                .maxStringLength(json.maxStringChars()).maxNumberLength(json.maxNumberChars()).build());
    }
}
