// Starts AWS's DynamoDB Local bound to 127.0.0.1 only.
//
// DynamoDB Local has no bind-address option: its DynamoDBProxyServer builds a Jetty Server(port),
// which listens on every interface. This launcher builds the server the way DynamoDB Local's own
// main does (ServerRunner.createServerFromCommandLineArgs, the same command-line options), sets the
// host of each Jetty connector to 127.0.0.1 before start, and starts it. Only reflection is used, so
// it compiles without DynamoDB Local on the class path.
//
// Run from packages/cli/src/local/dynamo.ts:
//   java LoopbackDynamoDBLocal.java --compile-into DIR SOURCE   compile this file once into DIR
//   java -cp DIR:DynamoDBLocal.jar:DynamoDBLocal_lib/* LoopbackDynamoDBLocal -port N -inMemory …

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

public class LoopbackDynamoDBLocal {
  static final String HOST = "127.0.0.1";

  public static void main(String[] args) throws Exception {
    if (args.length == 3 && args[0].equals("--compile-into")) {
      JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
      if (javac == null) {
        System.err.println("no Java compiler in this runtime (jdk.compiler module missing)");
        System.exit(3);
      }
      int rc = javac.run(null, null, null, "--release", "17", "-proc:none", "-d", args[1], args[2]);
      System.exit(rc);
    }
    Class<?> runner = Class.forName("software.amazon.dynamodb.services.local.main.ServerRunner");
    Object proxy =
        runner.getMethod("createServerFromCommandLineArgs", String[].class).invoke(null, (Object) args);
    Field field = proxy.getClass().getDeclaredField("server");
    field.setAccessible(true);
    Object jetty = field.get(proxy);
    Object[] connectors = (Object[]) jetty.getClass().getMethod("getConnectors").invoke(jetty);
    if (connectors.length == 0) throw new IllegalStateException("DynamoDB Local built no Jetty connector");
    for (Object connector : connectors) {
      Method setHost = connector.getClass().getMethod("setHost", String.class);
      setHost.invoke(connector, HOST);
    }
    proxy.getClass().getMethod("start").invoke(proxy);
    System.out.println("phiwatch: DynamoDB Local listening on " + HOST + " only");
  }
}
