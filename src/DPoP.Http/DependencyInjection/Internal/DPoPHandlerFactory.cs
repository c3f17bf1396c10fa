using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DPoP.Http.Internal;

/// <summary>
/// Builds a client's <see cref="DPoPDelegatingHandler"/> each time IHttpClientFactory builds its pipeline, wiring
/// it to the singletons that outlive handlers: keys, nonce store, <c>ath</c> cache.
/// </summary>
internal sealed class DPoPHandlerFactory(
    IServiceProvider services,
    IOptionsMonitor<DPoPClientOptions> optionsMonitor,
    DPoPClientStates states,
    GeneratedDPoPKeyProvider generatedKeys,
    ConfiguredDPoPKeys configuredKeys,
    DPoPMetrics metrics)
{
    /// <summary>Builds the handler of <paramref name="clientName"/>.</summary>
    /// <param name="clientName">The client: its nonce store, <c>ath</c> cache and token provider.</param>
    /// <param name="keyClientName">
    /// The client whose options, key and name in logs and telemetry (<c>dpop.client</c>) to use, when not
    /// <paramref name="clientName"/>: the token endpoint client of <c>AddDPoPClientCredentialsToken()</c> signs with its
    /// API client's key, so the token's <c>cnf.jkt</c> matches, and is counted under the API client's name.
    /// </param>
    public DPoPDelegatingHandler Create(string clientName, string? keyClientName = null)
    {
        keyClientName ??= clientName;
        var options = optionsMonitor.Get(keyClientName);
        return Create(clientName, keyClientName, options, ResolveKeySource(keyClientName, options), scheme: null);
    }

    /// <summary>Builds the handler of a token endpoint client the library registered (<see cref="DPoPClientRegistry"/>).</summary>
    public DPoPDelegatingHandler Create(string clientName, DPoPTokenEndpointClient tokenClient)
    {
        if (tokenClient.ApiClientName is { } apiClientName)
        {
            return Create(clientName, apiClientName);
        }

        // A scheme's client: each request carries its session's key, so there is no key source to resolve; logs name the scheme.
        var scheme = tokenClient.Scheme!;
        return Create(clientName, scheme, optionsMonitor.Get(clientName), NoKeySource, scheme);
    }

    private DPoPDelegatingHandler Create(
        string clientName, string loggedName, DPoPClientOptions options, Func<CancellationToken, ValueTask<DPoPKey>> keySource, string? scheme)
    {
        var state = states.Get(clientName, options);
        var timeProvider = services.GetService<TimeProvider>() ?? TimeProvider.System;
        var logger = services.GetService<ILoggerFactory>()?.CreateLogger(DPoPTelemetryNames.HandlerLogCategory) ?? NullLogger.Instance;
        var context = new DPoPHandlerContext(
            loggedName,
            options.Handler,
            keySource,
            services.GetService<IDPoPNonceStore>() ?? state.NonceStore,
            services.GetKeyedService<IDPoPAccessTokenProvider>(clientName),
            state.AthCache,
            timeProvider,
            logger,
            metrics,
            scheme);
        return new DPoPDelegatingHandler(context);
    }

    private static ValueTask<DPoPKey> NoKeySource(CancellationToken cancellationToken) =>
        throw new InvalidOperationException("A scheme's token endpoint client signs with the key each request carries.");

    /// <summary>The key <paramref name="clientName"/> signs with (for caches keyed by the key's thumbprint).</summary>
    public Func<CancellationToken, ValueTask<DPoPKey>> KeySource(string clientName) => ResolveKeySource(clientName, optionsMonitor.Get(clientName));

    /// <summary>
    /// The key source, most specific first: a provider registered for this client, a key configured in its options,
    /// then the app-wide provider (by default one generated key per key name).
    /// </summary>
    internal Func<CancellationToken, ValueTask<DPoPKey>> ResolveKeySource(string clientName, DPoPClientOptions options)
    {
        var keyName = string.IsNullOrEmpty(options.KeyName) ? clientName : options.KeyName;
        if (services.GetKeyedService<IDPoPKeyProvider>(clientName) is { } clientProvider)
        {
            return ct => clientProvider.GetKeyAsync(keyName, ct);
        }

        if (!string.IsNullOrEmpty(options.PrivateKey) || !string.IsNullOrEmpty(options.PrivateKeyPath))
        {
            var configured = configuredKeys.Get(keyName, options);
            return _ => ValueTask.FromResult(configured);
        }

        var provider = services.GetRequiredService<IDPoPKeyProvider>();
        if (ReferenceEquals(provider, generatedKeys))
        {
            var generated = generatedKeys.GetOrCreate(keyName, options.Algorithm);
            return _ => ValueTask.FromResult(generated);
        }

        return ct => provider.GetKeyAsync(keyName, ct);
    }
}
