using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace DPoP.Http.Tests.DependencyInjection;

/// <summary>
/// A client setting that another registration overrides (an app-wide nonce store, a key provider) stops the host at
/// start-up with a message naming the client and the property, instead of being silently ignored.
/// </summary>
public sealed class IgnoredSettingsValidationTests
{
    private static string? StartAndGetMessage(Action<IServiceCollection> register)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        register(builder.Services);
        using var host = builder.Build();
        try
        {
            host.StartAsync().GetAwaiter().GetResult();
            host.StopAsync().GetAwaiter().GetResult();
            return null;
        }
        catch (OptionsValidationException ex)
        {
            return ex.Message;
        }
    }

    [Test]
    public void NonceStoreCapacity_WithAnAppWideNonceStore_FailsStartup()
    {
        var message = StartAndGetMessage(services =>
        {
            services.AddDPoPNonceStore<AppNonceStore>();
            services.AddHttpClient("orders-api").AddDPoP(o => o.NonceStoreCapacity = 10);
        });
        Assert.That(message, Does.Contain("HttpClient 'orders-api': NonceStoreCapacity is set, but the app registered its own nonce store"));
    }

    [Test]
    public void NonceLifetime_WithTheSharedNonceStore_FailsStartup()
    {
        var message = StartAndGetMessage(services =>
        {
            services.AddHttpClient("orders-api").AddDPoP(o => o.NonceLifetime = TimeSpan.FromMinutes(1));
            services.AddDPoPSharedNonceStore();
        });
        Assert.That(message, Does.Contain("HttpClient 'orders-api': NonceLifetime is set, but the app registered its own nonce store"));
    }

    [Test]
    public void PrivateKey_WithAKeyProviderOfTheClient_FailsStartup()
    {
        using var key = DPoPKey.Generate();
        var message = StartAndGetMessage(services => services.AddHttpClient("orders-api")
            .AddDPoP(o => o.PrivateKey = key.PrivateKeyPem)
            .AddDPoPKeyProvider<AppKeyProvider>());
        Assert.That(message, Does.Contain("HttpClient 'orders-api': PrivateKey is set, but a key provider registered for this client"));
    }

    [Test]
    public void Algorithm_WithAnAppWideKeyProvider_FailsStartup()
    {
        var message = StartAndGetMessage(services =>
        {
            services.AddDPoPKeyProvider<AppKeyProvider>();
            services.AddHttpClient("orders-api").AddDPoP(o => o.Algorithm = DPoPAlgorithms.ES384);
        });
        Assert.That(message, Does.Contain("HttpClient 'orders-api': Algorithm is set, but the app's key provider"));
    }

    [Test]
    public void SettingsThatTakeEffect_BesideTheirOverrides_StartCleanly()
    {
        using var key = DPoPKey.Generate();
        var message = StartAndGetMessage(services =>
        {
            services.AddDPoPKeyProvider<AppKeyProvider>();
            services.AddDPoPNonceStore<AppNonceStore>();
            services.AddHttpClient("configured-key").AddDPoP(o => { o.PrivateKey = key.PrivateKeyPem; o.Algorithm = DPoPAlgorithms.ES256; o.KeyName = "k"; });
            services.AddHttpClient("own-provider").AddDPoP(o => o.KeyName = "k2").AddDPoPKeyProvider<AppKeyProvider>();
        });
        Assert.That(message, Is.Null);
    }

    public sealed class AppNonceStore : IDPoPNonceStore
    {
        public ValueTask<string?> GetNonceAsync(Uri requestUri, CancellationToken cancellationToken) => ValueTask.FromResult<string?>(null);

        public ValueTask SetNonceAsync(Uri requestUri, string nonce, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }

    public sealed class AppKeyProvider : IDPoPKeyProvider
    {
        private static readonly DPoPKey Key = DPoPKey.Generate();

        public ValueTask<DPoPKey> GetKeyAsync(string keyName, CancellationToken cancellationToken) => ValueTask.FromResult(Key);
    }
}
