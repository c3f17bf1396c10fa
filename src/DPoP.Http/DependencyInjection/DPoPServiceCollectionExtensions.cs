using System.Diagnostics.CodeAnalysis;
using DPoP.Http;
using DPoP.Http.Internal;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>App-wide DPoP registrations.</summary>
public static class DPoPServiceCollectionExtensions
{
    /// <summary>
    /// Replaces the default key provider (one generated key per key name) for every DPoP client that has neither a
    /// provider of its own nor a key in its options. Use it for keys that must survive restarts.
    /// </summary>
    /// <typeparam name="TProvider">The provider, registered as a singleton.</typeparam>
    /// <param name="services">The service collection.</param>
    /// <returns>The service collection, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
    public static IServiceCollection AddDPoPKeyProvider<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TProvider>(this IServiceCollection services)
        where TProvider : class, IDPoPKeyProvider
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddDPoPCore();
        services.RemoveAll<IDPoPKeyProvider>();
        services.AddSingleton<IDPoPKeyProvider, TProvider>();
        return services;
    }

    /// <summary>
    /// Replaces the per-client in-memory nonce stores with one <typeparamref name="TStore"/> for all DPoP clients
    /// (for example one shared across instances). Nonces are keyed by origin, so clients that call the same server share them.
    /// </summary>
    /// <typeparam name="TStore">The store, registered as a singleton; it must be thread-safe.</typeparam>
    /// <param name="services">The service collection.</param>
    /// <returns>The service collection, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
    public static IServiceCollection AddDPoPNonceStore<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TStore>(this IServiceCollection services)
        where TStore : class, IDPoPNonceStore
    {
        ArgumentNullException.ThrowIfNull(services);
        services.RemoveAll<IDPoPNonceStore>();
        services.AddSingleton<IDPoPNonceStore, TStore>();
        return services;
    }

    /// <summary>
    /// Replaces the per-client in-memory nonce stores with one store for all DPoP clients that shares nonces across
    /// the app's instances through its <see cref="HybridCache"/> (register one, e.g. with Redis as L2): memory first,
    /// the HybridCache only when memory has no nonce for an origin (at most once a minute per origin, waiting at most
    /// 250 ms), new nonces written in the background. So a new instance's first request to a server carries the nonce
    /// another instance learned, and is not challenged. A failing cache is paused with a warning and the store works
    /// from memory.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns>The service collection, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
    public static IServiceCollection AddDPoPSharedNonceStore(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.RemoveAll<IDPoPNonceStore>();
        services.AddSingleton<IDPoPNonceStore>(sp => new DPoPSharedNonceStore(
            sp.GetRequiredService<HybridCache>(),
            sp.GetService<TimeProvider>() ?? TimeProvider.System,
            sp.GetService<ILoggerFactory>()?.CreateLogger(DPoPTelemetryNames.HandlerLogCategory) ?? (ILogger)NullLogger.Instance));
        return services;
    }
}
