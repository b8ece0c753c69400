import java.io.IOException;
import java.io.InputStream;
import java.lang.classfile.Annotation;
import java.lang.classfile.AnnotationElement;
import java.lang.classfile.AnnotationValue;
import java.lang.classfile.Attributes;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.CodeElement;
import java.lang.classfile.MethodModel;
import java.lang.classfile.attribute.RuntimeVisibleAnnotationsAttribute;
import java.lang.classfile.constantpool.StringEntry;
import java.lang.classfile.instruction.ConstantInstruction;
import java.lang.constant.ClassDesc;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Pattern;

/**
 * The part of GraalVM's {@code native-image} driver that scripts/native-check needs, for running the image
 * builder from the Maven Central jars (org.graalvm.nativeimage:svm) on a plain JVMCI-enabled JDK 25, which
 * has no GraalVM home and so no driver, no lib/svm/clibraries and no project headers.
 *
 * <pre>
 * java SvmDriver.java headers SVM_JAR OUT_DIR
 *     writes OUT_DIR/include/*.h: stand-ins for the builder's own C headers (see {@link #headers})
 * java SvmDriver.java args NATIVE_SOURCES_DIR OUT_DIR CLIB_DIR
 *     translates NATIVE_SOURCES_DIR/native-image.args (what Quarkus writes with
 *     -Dquarkus.native.sources-only=true) plus the META-INF/native-image metadata of every class-path jar
 *     into builder arguments: OUT_DIR/builder.args (image builder) and OUT_DIR/builder-jvm.args (extra JVM
 *     options), NUL-separated
 * </pre>
 *
 * Only the options that Quarkus and the jars it packages use are translated; any other driver option stops
 * the run with a message, so a new Quarkus version cannot make this check silently build something else.
 */
public class SvmDriver {

    public static void main(String[] args) throws IOException {
        if (args.length == 3 && args[0].equals("headers")) {
            headers(Path.of(args[1]), Path.of(args[2]));
        } else if (args.length == 4 && args[0].equals("args")) {
            new SvmDriver().translate(Path.of(args[1]), Path.of(args[2]), Path.of(args[3]));
        } else {
            System.err.println("usage: SvmDriver headers SVM_JAR OUT_DIR | SvmDriver args NATIVE_SOURCES_DIR OUT_DIR CLIB_DIR");
            System.exit(2);
        }
    }

    // ------------------------------------------------------------------------------------------ arguments

    private record Exclude(Pattern jar, Pattern resource) {
    }

    /** META-INF/native-image/**&#47;NAME -> the builder option that takes such a resource. */
    private static final Map<String, String> CONFIG_FILES = Map.of(
            "reflect-config.json", "ReflectionConfigurationResources",
            "resource-config.json", "ResourceConfigurationResources",
            "jni-config.json", "JNIConfigurationResources",
            "proxy-config.json", "DynamicProxyConfigurationResources",
            "serialization-config.json", "SerializationConfigurationResources",
            "predefined-classes-config.json", "PredefinedClassesConfigurationResources",
            "reachability-metadata.json", "ReachabilityMetadataResources");

    private final List<String> builderArgs = new ArrayList<>();
    private final List<String> jvmArgs = new ArrayList<>();
    private final List<Path> classpath = new ArrayList<>();
    private final List<Exclude> excludes = new ArrayList<>();
    private String imageName;
    private String mainClass;

    private void translate(Path sources, Path out, Path clib) throws IOException {
        Path argsFile = sources.resolve("native-image.args");
        if (!Files.isRegularFile(argsFile)) {
            throw fail(argsFile + " is missing: generate it with -Dquarkus.native.sources-only=true first");
        }
        // Quarkus writes one line of space-separated arguments; none of its values holds a space.
        List<String> raw = new ArrayList<>(List.of(Files.readString(argsFile).trim().split("\\s+")));
        parse(raw, sources, null);
        if (imageName == null || mainClass == null || classpath.isEmpty()) {
            throw fail("native-image.args names no image and -jar: " + raw);
        }
        // What the driver does for every class-path entry: its META-INF/native-image metadata.
        for (Path entry : classpath) {
            metaInf(entry);
        }
        List<String> all = new ArrayList<>();
        all.add("-imagecp");
        all.add(String.join(":", classpath.stream().map(Path::toString).toList()));
        all.add("-H:Path=" + out.toAbsolutePath());
        all.add("-H:Name=" + imageName);
        all.add("-H:Class=" + mainClass);
        all.add("-H:CLibraryPath=" + clib.toAbsolutePath());
        all.add("-H:+UnlockExperimentalVMOptions");
        all.add("-H:ImageBuildID=" + UUID.randomUUID());
        all.add("-H:TempDirectory=" + out.resolve("tmp").toAbsolutePath());
        // The point of the check: analysis and compilation, then stop before the linker (and its static
        // JDK libraries, which only a GraalVM distribution has).
        all.add("-H:+ExitAfterRelocatableImageWrite");
        all.add("-H:-UnlockExperimentalVMOptions");
        // Quick build mode (the driver's -Ob): the same class initialization and points-to analysis, the same
        // methods compiled, with fewer optimizations. What fails a build fails here too; the object file's code,
        // which nothing runs, is slower. It took 149 of the builder's 427 s for chat-node at the default level.
        all.add("-H:Optimize=b");
        all.addAll(builderArgs);
        Files.createDirectories(out);
        Files.writeString(out.resolve("builder.args"), String.join("\0", all), StandardCharsets.UTF_8);
        Files.writeString(out.resolve("builder-jvm.args"), String.join("\0", jvmArgs), StandardCharsets.UTF_8);
        System.out.printf("image %s, main class %s, %d class-path entries, %d builder options, %d JVM options%n",
                imageName, mainClass, classpath.size(), all.size(), jvmArgs.size());
    }

    /** Parses driver arguments; origin is null for the command line, else the properties file they came from. */
    private void parse(List<String> args, Path base, String origin) throws IOException {
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.isEmpty()) {
                continue;
            }
            if (a.startsWith("-J")) {
                jvmArgs.add(a.substring(2));
            } else if (a.startsWith("-H:") || a.startsWith("-R:")) {
                builderArgs.add(withOrigin(a, origin));
            } else if (a.startsWith("--features=")) {
                builderArgs.add(withOrigin("-H:Features=" + value(a), origin));
            } else if (a.startsWith("--initialize-at-build-time")) {
                builderArgs.add(withOrigin("-H:ClassInitialization=" + initialization(value(a), ":build_time"), origin));
            } else if (a.startsWith("--initialize-at-run-time=")) {
                builderArgs.add(withOrigin("-H:ClassInitialization=" + initialization(value(a), ":run_time"), origin));
            } else if (a.equals("--no-fallback")) {
                builderArgs.add(withOrigin("-H:FallbackThreshold=0", origin));
            } else if (a.equals("--link-at-build-time") || a.startsWith("--link-at-build-time=")) {
                builderArgs.add(withOrigin("-H:LinkAtBuildTime=" + value(a), origin));
            } else if (a.startsWith("--enable-url-protocols=")) {
                builderArgs.add(withOrigin("-H:EnableURLProtocols=" + value(a), origin));
            } else if (a.startsWith("--enable-monitoring=")) {
                builderArgs.add(withOrigin("-H:EnableMonitoringFeatures=" + value(a), origin));
            } else if (a.startsWith("--enable-native-access=")) {
                builderArgs.add(withOrigin("-H:EnableNativeAccess=" + value(a), origin));
            } else if (a.startsWith("--add-exports=")) {
                builderArgs.add(withOrigin("-H:AddExports=" + value(a), origin));
            } else if (a.startsWith("--add-opens=")) {
                builderArgs.add(withOrigin("-H:AddOpens=" + value(a), origin));
            } else if (a.equals("--exclude-config") && i + 2 < args.size()) {
                excludes.add(new Exclude(Pattern.compile(args.get(i + 1)), Pattern.compile(args.get(i + 2))));
                i += 2;
            } else if (a.equals("-jar") && i + 1 < args.size() && origin == null) {
                jar(base.resolve(args.get(++i)));
            } else if (!a.startsWith("-") && origin == null && imageName == null) {
                imageName = a;
            } else {
                throw fail("option not supported by this stand-in for the native-image driver: " + a
                        + (origin == null ? "" : " (from " + origin + ")") + "; extend scripts/native/SvmDriver.java");
            }
        }
    }

    private static String value(String option) {
        int eq = option.indexOf('=');
        return eq < 0 ? "" : option.substring(eq + 1);
    }

    private static String initialization(String value, String suffix) {
        List<String> parts = new ArrayList<>();
        for (String p : value.split(",", -1)) {
            parts.add(p + suffix);
        }
        return String.join(",", parts);
    }

    /** Hosted options from a jar carry their origin, as with the real driver (it scopes e.g. LinkAtBuildTime). */
    private static String withOrigin(String option, String origin) {
        if (origin == null || !option.startsWith("-H:")) {
            return option;
        }
        char c = option.charAt(3);
        if (c == '+' || c == '-') {
            return option + "@" + origin;
        }
        int eq = option.indexOf('=');
        return option.substring(0, eq) + "@" + origin + option.substring(eq);
    }

    private void jar(Path jar) throws IOException {
        classpath.add(jar.toAbsolutePath().normalize());
        try (JarFile jf = new JarFile(jar.toFile())) {
            Manifest mf = jf.getManifest();
            if (mf == null || mf.getMainAttributes().getValue("Main-Class") == null) {
                throw fail(jar + " has no Main-Class");
            }
            mainClass = mf.getMainAttributes().getValue("Main-Class");
            String cp = mf.getMainAttributes().getValue("Class-Path");
            if (cp != null) {
                for (String e : cp.trim().split("\\s+")) {
                    Path p = jar.getParent().resolve(e).toAbsolutePath().normalize();
                    if (Files.exists(p)) {
                        classpath.add(p);
                    }
                }
            }
        }
    }

    private void metaInf(Path entry) throws IOException {
        if (!Files.isRegularFile(entry)) {
            return;
        }
        try (JarFile jf = new JarFile(entry.toFile())) {
            List<JarEntry> entries = new ArrayList<>(Collections.list(jf.entries()));
            entries.sort((x, y) -> x.getName().compareTo(y.getName()));
            for (JarEntry e : entries) {
                String name = e.getName();
                if (e.isDirectory() || !name.startsWith("META-INF/native-image/")) {
                    continue;
                }
                String resource = "/" + name;
                if (excludes.stream().anyMatch(x -> x.jar().matcher(entry.toString()).find()
                        && x.resource().matcher(resource).find())) {
                    continue;
                }
                String file = name.substring(name.lastIndexOf('/') + 1);
                String origin = "jar:" + entry.toUri() + "!" + resource;
                if (file.equals("native-image.properties")) {
                    Properties props = new Properties();
                    try (InputStream in = jf.getInputStream(e)) {
                        props.load(in);
                    }
                    for (String key : props.stringPropertyNames()) {
                        String v = props.getProperty(key).trim();
                        if (v.contains("${")) {
                            throw fail(origin + ": property substitution is not supported: " + v);
                        }
                        switch (key) {
                            case "Args" -> parse(List.of(v.split("\\s+")), entry.getParent(), origin);
                            case "JavaArgs" -> jvmArgs.addAll(List.of(v.split("\\s+")));
                            case "ImageName", "ImageClass", "ForceOnModulePath" -> {
                            }
                            default -> throw fail(origin + ": unsupported key " + key);
                        }
                    }
                } else if (CONFIG_FILES.containsKey(file)) {
                    builderArgs.add(withOrigin("-H:" + CONFIG_FILES.get(file) + "=" + name, origin));
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------ headers

    /**
     * Writes stand-ins for the builder's "project headers" (include/*.h of com.oracle.svm.native.libchelper),
     * which GraalVM ships in lib/svm/clibraries and the Maven jars do not. Each declares exactly the structs
     * and constants that the Java side queries (@CStruct/@CField/@CConstant under a @CContext whose
     * directives name that header), derived from the class files. Their layout is this generator's choice:
     * harmless, since the check stops before anything is linked against the real C library.
     */
    static void headers(Path svmJar, Path out) throws IOException {
        Map<String, ClassModel> classes = new LinkedHashMap<>();
        try (JarFile jf = new JarFile(svmJar.toFile())) {
            for (JarEntry e : Collections.list(jf.entries())) {
                if (e.getName().endsWith(".class") && !e.getName().startsWith("META-INF/")) {
                    try (InputStream in = jf.getInputStream(e)) {
                        ClassModel cm = ClassFile.of().parse(in.readAllBytes());
                        classes.put(cm.thisClass().asInternalName(), cm);
                    }
                }
            }
        }
        Map<String, String> headerOf = new TreeMap<>();
        for (ClassModel cm : classes.values()) {
            for (MethodModel m : cm.methods()) {
                if (!m.methodName().equalsString("getHeaderFiles") || m.code().isEmpty()) {
                    continue;
                }
                boolean project = false;
                String include = null;
                for (CodeElement ce : m.code().get()) {
                    if (ce instanceof ConstantInstruction.LoadConstantInstruction ldc
                            && ldc.constantEntry() instanceof StringEntry s) {
                        String v = s.stringValue();
                        project |= v.startsWith("com.oracle.svm.native.");
                        if (v.startsWith("include/") && v.endsWith(".h")) {
                            include = v;
                        }
                    }
                }
                if (project && include != null) {
                    headerOf.put(cm.thisClass().asInternalName(), include);
                }
            }
        }
        if (headerOf.isEmpty()) {
            throw fail(svmJar + ": found no directives that resolve project headers; has the builder changed?");
        }
        Map<String, StringBuilder> bodies = new TreeMap<>();
        int constant = 0;
        for (ClassModel cm : classes.values()) {
            String ctx = classValue(annotations(cm.findAttribute(Attributes.runtimeVisibleAnnotations()).orElse(null)),
                    "Lorg/graalvm/nativeimage/c/CContext;");
            String outer = cm.thisClass().asInternalName();
            while (ctx == null && outer.contains("$")) {
                outer = outer.substring(0, outer.lastIndexOf('$'));
                ClassModel o = classes.get(outer);
                ctx = o == null ? null : classValue(annotations(o.findAttribute(Attributes.runtimeVisibleAnnotations())
                        .orElse(null)), "Lorg/graalvm/nativeimage/c/CContext;");
            }
            if (ctx == null || !headerOf.containsKey(ctx)) {
                continue;
            }
            StringBuilder body = bodies.computeIfAbsent(headerOf.get(ctx), k -> new StringBuilder());
            Annotation struct = find(annotations(cm.findAttribute(Attributes.runtimeVisibleAnnotations()).orElse(null)),
                    "Lorg/graalvm/nativeimage/c/struct/CStruct;");
            if (struct != null) {
                String name = stringValue(struct);
                if (name == null || name.isEmpty()) {
                    String n = cm.thisClass().asInternalName();
                    name = n.substring(Math.max(n.lastIndexOf('/'), n.lastIndexOf('$')) + 1);
                }
                Map<String, String> fields = new LinkedHashMap<>();
                for (MethodModel m : cm.methods()) {
                    Annotation f = find(annotations(m.findAttribute(Attributes.runtimeVisibleAnnotations()).orElse(null)),
                            "Lorg/graalvm/nativeimage/c/struct/CField;");
                    if (f == null) {
                        continue;
                    }
                    String field = stringValue(f);
                    if (field == null || field.isEmpty()) {
                        field = m.methodName().stringValue();
                    }
                    var type = m.methodTypeSymbol();
                    ClassDesc t = type.parameterCount() == 0 ? type.returnType() : type.parameterType(type.parameterCount() - 1);
                    fields.putIfAbsent(field, cType(t));
                }
                body.append("typedef struct ").append(name).append(" {\n");
                fields.forEach((n, t) -> body.append("  ").append(t).append(' ').append(n).append(";\n"));
                if (fields.isEmpty()) {
                    body.append("  char unused;\n");
                }
                body.append("} ").append(name).append(";\n\n");
            }
            for (MethodModel m : cm.methods()) {
                Annotation c = find(annotations(m.findAttribute(Attributes.runtimeVisibleAnnotations()).orElse(null)),
                        "Lorg/graalvm/nativeimage/c/constant/CConstant;");
                if (c != null) {
                    String name = stringValue(c);
                    body.append("#define ").append(name == null || name.isEmpty() ? m.methodName().stringValue() : name)
                            .append(' ').append(++constant).append('\n');
                }
            }
        }
        for (String h : new TreeSet<>(headerOf.values())) {
            Path p = out.resolve(h);
            Files.createDirectories(p.getParent());
            String guard = "CHAT_STANDIN_" + p.getFileName().toString().replaceAll("[^A-Za-z0-9]", "_").toUpperCase();
            Files.writeString(p, "/* Stand-in for the native-image builder's " + h
                    + ", generated by scripts/native/SvmDriver.java: declarations only, never linked. */\n"
                    + "#ifndef " + guard + "\n#define " + guard + "\n\n"
                    + bodies.getOrDefault(h, new StringBuilder()) + "#endif\n");
            System.out.println("wrote " + p);
        }
    }

    private static String cType(ClassDesc t) {
        return switch (t.descriptorString()) {
            case "Z", "B" -> "char";
            case "S" -> "short";
            case "C" -> "unsigned short";
            case "I" -> "int";
            case "J" -> "long long";
            case "F" -> "float";
            case "D" -> "double";
            default -> "void *"; // pointers and words
        };
    }

    private static List<Annotation> annotations(RuntimeVisibleAnnotationsAttribute a) {
        return a == null ? List.of() : a.annotations();
    }

    private static Annotation find(List<Annotation> list, String desc) {
        for (Annotation a : list) {
            if (a.className().equalsString(desc)) {
                return a;
            }
        }
        return null;
    }

    private static String classValue(List<Annotation> list, String desc) {
        Annotation a = find(list, desc);
        if (a != null) {
            for (AnnotationElement e : a.elements()) {
                if (e.name().equalsString("value") && e.value() instanceof AnnotationValue.OfClass c) {
                    String d = c.className().stringValue();
                    return d.substring(1, d.length() - 1);
                }
            }
        }
        return null;
    }

    private static String stringValue(Annotation a) {
        for (AnnotationElement e : a.elements()) {
            if (e.name().equalsString("value") && e.value() instanceof AnnotationValue.OfString s) {
                return s.stringValue();
            }
        }
        return null;
    }

    private static IllegalStateException fail(String message) {
        System.err.println("SvmDriver: " + message);
        System.exit(1);
        return new IllegalStateException(message);
    }
}
