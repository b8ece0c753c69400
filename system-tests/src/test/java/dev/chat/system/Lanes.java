package dev.chat.system;

/**
 * The two lanes the system test classes run in, side by side (src/test/resources/junit-platform.properties: classes
 * concurrently, two at a time). Each class holds exactly one lane as its {@link org.junit.jupiter.api.parallel.ResourceLock}
 * ({@code LanesTest} checks), so each lane runs one class at a time and at most two classes ever run at once, on a
 * 2-core machine. A class that measures the machine as it runs (the soak), or judges a service's health checks
 * under a load of its own making (the sign-up and login storms of SessionsThroughProxyTest), is also
 * {@link org.junit.jupiter.api.parallel.Isolated}: it runs with nothing beside it. Both lanes take their port bases
 * from one reservation ({@link LocalStack#reservePortBase}).
 */
final class Lanes {
    /**
     * Classes that start whole stacks of their own through the operator scripts (chaos, soak, drill, scale) with the
     * network namespaces, VRRP instances and fixed subnets those use: one at a time, as before. Most of their time
     * is waiting on faults, failovers and fixed soak windows.
     */
    static final String SCENARIOS = "lane:scenarios";
    /**
     * Every other class: the shared stack ({@link LocalStack#shared()}, of which some stop and start parts), stacks
     * of a class's own, the browser and the scripts' quick checks: one at a time, as before.
     */
    static final String SHARED_STACK = "lane:shared-stack";

    private Lanes() {
    }
}
