package dev.chat.loadgen.measure;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class ProxyServersTest {
    @Test
    void readsTheChatNodesOfTheStatsCsvByColumnName() {
        String csv = String.join("\n",
                "# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight",
                "chat,FRONTEND,,,7,9,4096,40,1,2,0,0,0,,,,,OPEN,",
                "user_service,user-service,0,0,0,1,,3,1,2,,0,,0,0,0,0,UP,1",
                "chat_nodes,node-1,0,0,3,4,,12,1,2,,0,,0,0,0,0,UP,1",
                "chat_nodes,node-2,0,0,0,2,,5,1,2,,0,,0,0,0,0,DRAIN,1",
                "chat_nodes,node-4,0,0,,0,,0,0,0,,0,,0,0,0,0,UP 1/2,1",
                "chat_nodes,BACKEND,0,0,3,6,,17,1,2,0,0,,0,0,0,0,UP,2", "");
        Map<String, ProxyServers.Server> nodes = ProxyServers.parse(csv);
        assertEquals(List.of("node-1", "node-2", "node-4"), List.copyOf(nodes.keySet()));
        assertEquals(new ProxyServers.Server("UP", 3), nodes.get("node-1"));
        assertEquals(new ProxyServers.Server("DRAIN", 0), nodes.get("node-2"));
        assertEquals(new ProxyServers.Server("UP 1/2", 0), nodes.get("node-4"));
        assertEquals(3, new ProxyServers.Snapshot("proxy1", nodes).sessions());
    }

    @Test
    void nothingReadableIsNoNodes() {
        assertEquals(Map.of(), ProxyServers.parse("<html>503</html>"));
        assertEquals(Map.of(), ProxyServers.parse(""));
    }
}
