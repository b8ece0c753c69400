package dev.chat.loadgen.measure;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import org.junit.jupiter.api.Test;

class AlertWebhookTest {
    @Test
    void aPostIsKeptAsItCameAndAnsweredOkAnythingElseIs405() throws Exception {
        try (AlertWebhook hook = AlertWebhook.listen("127.0.0.1", 0)) {
            HttpClient http = HttpClient.newHttpClient();
            URI uri = URI.create("http://" + hook.address() + "/");
            String body = "{\"version\":\"4\",\"alerts\":[]}";
            HttpResponse<Void> post = http.send(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.discarding());
            assertEquals(200, post.statusCode());
            HttpResponse<Void> get = http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.discarding());
            assertEquals(405, get.statusCode());
            assertEquals(List.of(body), hook.posts());
        }
    }
}
