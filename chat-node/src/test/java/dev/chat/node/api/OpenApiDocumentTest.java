package dev.chat.node.api;

import static io.restassured.RestAssured.given;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.chat.testing.CommittedDocument;
import dev.chat.testing.quarkus.PostgresResource;
import dev.chat.testing.quarkus.RedisResource;
import dev.chat.testing.quarkus.JwtKeysResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The OpenAPI document of chat-node's REST API, as the code generates it (/q/openapi; the management port in
 * production, the test port here), equals the committed docs/openapi/chat-node.yaml: an endpoint changed without
 * the document fails here.
 */
@QuarkusTest
@Tag("quarkus")
@WithTestResource(PostgresResource.class)
@WithTestResource(RedisResource.class)
@WithTestResource(JwtKeysResource.class)
class OpenApiDocumentTest {
    @Test
    void theCommittedDocumentMatchesTheCode() {
        String generated = given().get("/q/openapi").then().statusCode(200).extract().asString();
        CommittedDocument.assertUnchanged("docs/openapi/chat-node.yaml", generated);
    }
}
