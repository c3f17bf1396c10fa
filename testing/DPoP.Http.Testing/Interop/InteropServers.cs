
namespace DPoP.Http.Testing;

/// <summary>
/// Starts the third-party servers once for the whole suite: tests/interop/as.mjs (panva's oidc-provider) and then
/// tests/interop/rs.mjs (a resource server validating with panva's jose against that provider), both on 127.0.0.1
/// on free ports, after <c>npm ci</c> when node_modules is missing or older than the lock file. Without node or npm
/// the suite is ignored, except under CI=true, where it fails: CI must never skip it silently.
/// </summary>
/// <remarks>
/// NUnit finds set-up fixtures only in the test assembly, so each project that uses the servers declares one
/// (<c>[SetUpFixture] public sealed class InteropServersSetUp : InteropServers;</c>) in the namespace its tests live in.
/// </remarks>
public abstract class InteropServers
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan NpmTimeout = TimeSpan.FromMinutes(5);

    private static NodeProcess? _authorizationServerProcess;
    private static NodeProcess? _resourceServerProcess;
    private static AuthorizationServerInfo? _authorizationServer;
    private static Uri? _resourceServer;
    private static int _failedTests;

    /// <summary>All output of npm and both servers during this run.</summary>
    public static ServerLog Log { get; } = new();

    /// <summary>The authorization server (oidc-provider) and the clients it registered.</summary>
    public static AuthorizationServerInfo AuthorizationServer =>
        _authorizationServer ?? throw new InvalidOperationException("The authorization server is not running.");

    /// <summary>The resource server's base address, ending in '/'.</summary>
    public static Uri ResourceServer => _resourceServer ?? throw new InvalidOperationException("The resource server is not running.");

    private static bool IsCI => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Starts both servers (installing the node packages first when needed).</summary>
    /// <returns>A task that completes when both servers are ready.</returns>
    [OneTimeSetUp]
    public async Task StartServersAsync()
    {
        var node = NodeTools.FindOnPath("node");
        var npm = NodeTools.FindOnPath("npm");
        var nodeVersion = node is null ? null : NodeTools.GetMajorVersion(node);
        if (node is null || npm is null || nodeVersion < NodeTools.MinimumNodeVersion)
        {
            var reason = node is null || npm is null
                ? $"The interop suite needs Node.js (>= {NodeTools.MinimumNodeVersion}) and npm on PATH; '{(node is null ? "node" : "npm")}' was not found."
                : $"The interop suite needs Node.js >= {NodeTools.MinimumNodeVersion}; {node} is version {nodeVersion}.";
            if (IsCI)
            {
                Assert.Fail($"{reason} CI=true: CI must run the interop suite, so this is a failure, not a skip.");
            }

            Assert.Ignore(reason);
        }

        var interopDirectory = NodeTools.FindInteropDirectory(TestContext.CurrentContext.TestDirectory);
        try
        {
            if (!NodeTools.IsInstalled(interopDirectory))
            {
                // Two test assemblies use these servers (DPoP.Http.InteropTests, DPoP.Http.AspNetCore.Tests) and
                // `dotnet test` runs them at once: one npm ci at a time, and none once the other has installed.
                using var installLock = await NodeTools.LockInstallAsync(interopDirectory, NpmTimeout);
                if (!NodeTools.IsInstalled(interopDirectory))
                {
                    await InstallAsync(npm!, interopDirectory);
                }
            }

            _authorizationServerProcess = NodeProcess.Start("as", node!, ["as.mjs"], interopDirectory, Log);
            _authorizationServer = AuthorizationServerInfo.Parse(await _authorizationServerProcess.WaitForReadyAsync(ReadyTimeout));

            var server = _authorizationServer;
            _resourceServerProcess = NodeProcess.Start("rs", node!, ["rs.mjs"], interopDirectory, Log, new Dictionary<string, string>
            {
                ["INTEROP_AS_ISSUER"] = server.Issuer.OriginalString,
                ["INTEROP_RS_CLIENT_ID"] = server.ResourceServerClient.Id,
                ["INTEROP_RS_CLIENT_SECRET"] = server.ResourceServerClient.Secret!,
                ["INTEROP_JWT_RESOURCE"] = server.JwtResource,
                ["INTEROP_OPAQUE_RESOURCE"] = server.OpaqueResource,

                // Tests rotate the nonce themselves (POST /_interop/rotate-nonce) when they mean to: a timer firing
                // mid-test could cost an extra challenge where a test counts them.
                ["INTEROP_RS_NONCE_ROTATION_SECONDS"] = "3600",
            });
            var ready = await _resourceServerProcess.WaitForReadyAsync(ReadyTimeout);
            _resourceServer = new Uri(ready.GetProperty("url").GetString()!);
            TestContext.Progress.WriteLine($"interop: oidc-provider at {server.Issuer}, resource server at {_resourceServer}");
        }
        catch (Exception ex) when (ex is not IgnoreException)
        {
            Log.WaitUntilQuiet(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(2));
            StopServers();

            // Every test reports this message, so it carries what npm and the servers said.
            throw new InvalidOperationException(
                $"The interop servers did not start: {ex.Message}{Environment.NewLine}--- last lines of npm and server output ---{Environment.NewLine}{Log.Tail(80)}",
                ex);
        }
    }

    /// <summary>Stops both servers and prints their whole output when a test failed.</summary>
    [OneTimeTearDown]
    public void StopAndReport()
    {
        StopServers();
        if (Volatile.Read(ref _failedTests) > 0)
        {
            TestContext.Progress.WriteLine("interop: some tests failed; everything npm and the servers wrote:");
            TestContext.Progress.WriteLine(Log.Since());
        }
    }

    /// <summary>Called by a failing test: the whole log is printed once the servers are stopped.</summary>
    public static void TestFailed() => Interlocked.Increment(ref _failedTests);

    private static async Task InstallAsync(string npm, string interopDirectory)
    {
        TestContext.Progress.WriteLine($"interop: npm ci in {interopDirectory}");
        using var install = NodeProcess.Start("npm", npm, ["ci", "--no-audit", "--no-fund"], interopDirectory, Log);
        var exitCode = await install.WaitForExitAsync(NpmTimeout);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"npm ci failed with exit code {exitCode} in {interopDirectory}.");
        }
    }

    private static void StopServers()
    {
        // The resource server first: it depends on the authorization server, never the reverse.
        _resourceServerProcess?.Dispose();
        _resourceServerProcess = null;
        _authorizationServerProcess?.Dispose();
        _authorizationServerProcess = null;
        _resourceServer = null;
        _authorizationServer = null;
    }
}
