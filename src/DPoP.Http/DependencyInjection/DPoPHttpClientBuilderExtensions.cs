using System.Diagnostics.CodeAnalysis;
using DPoP.Http;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds DPoP (RFC 9449) to HttpClients built by IHttpClientFactory.</summary>
public static partial class DPoPHttpClientBuilderExtensions
{
    /// <summary>
    /// Gives every request of this client a fresh DPoP proof, binds its access token, handles server nonces and
    /// follows redirects with a new proof per hop. Call it after <c>AddStandardResilienceHandler()</c>, so that each
    /// retry gets its own proof.
    /// </summary>
    /// <param name="builder">The HttpClient builder.</param>
    /// <param name="configure">Configures this client's <see cref="DPoPClientOptions"/>.</param>
    /// <returns>The builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    public static IHttpClientBuilder AddDPoP(this IHttpClientBuilder builder, Action<DPoPClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var name = builder.Name;
        var optionsBuilder = builder.Services.AddOptions<DPoPClientOptions>(name);
        if (configure is not null)
        {
            optionsBuilder.Configure(configure);
        }

        optionsBuilder.ValidateOnStart();
        builder.Services.AddDPoPCore().Add(name);
        builder.AddHttpMessageHandler(services => services.GetRequiredService<DPoPHandlerFactory>().Create(name));
        return builder;
    }

    /// <summary>
    /// Like <see cref="AddDPoP(IHttpClientBuilder, Action{DPoPClientOptions}?)"/>, with the options bound from a
    /// configuration section (for example <c>"DPoP:MyApi"</c> with <c>Algorithm</c>, <c>KeyName</c>,
    /// <c>PrivateKeyPath</c>, …).
    /// </summary>
    /// <param name="builder">The HttpClient builder.</param>
    /// <param name="configuration">The section to bind <see cref="DPoPClientOptions"/> from.</param>
    /// <param name="configure">Further configuration, applied after binding.</param>
    /// <returns>The builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="configuration"/> is null.</exception>
    public static IHttpClientBuilder AddDPoP(this IHttpClientBuilder builder, IConfiguration configuration, Action<DPoPClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configuration);
        builder.Services.AddOptions<DPoPClientOptions>(builder.Name).Bind(configuration);
        return builder.AddDPoP(configure);
    }

    /// <summary>
    /// Uses <typeparamref name="TProvider"/> for this client's key (a key vault, an HSM, a database), ahead of any
    /// key configured in its options and of the app-wide provider.
    /// </summary>
    /// <typeparam name="TProvider">The provider, registered as a singleton keyed by the client's name.</typeparam>
    /// <param name="builder">The HttpClient builder.</param>
    /// <returns>The builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    public static IHttpClientBuilder AddDPoPKeyProvider<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TProvider>(this IHttpClientBuilder builder)
        where TProvider : class, IDPoPKeyProvider
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddKeyedSingleton<IDPoPKeyProvider, TProvider>(builder.Name);
        return builder;
    }

    /// <summary>Supplies this client's access tokens from <typeparamref name="TProvider"/> for requests that carry none.</summary>
    /// <typeparam name="TProvider">The provider, registered as a singleton keyed by the client's name.</typeparam>
    /// <param name="builder">The HttpClient builder.</param>
    /// <returns>The builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    public static IHttpClientBuilder AddDPoPAccessTokenProvider<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TProvider>(this IHttpClientBuilder builder)
        where TProvider : class, IDPoPAccessTokenProvider
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddKeyedSingleton<IDPoPAccessTokenProvider, TProvider>(builder.Name);
        return builder;
    }

    /// <summary>
    /// Gets this client's access tokens with the client credentials grant, bound to the client's DPoP key: cached until
    /// shortly before they expire, renewed by a single request however many callers wait, renewed and retried once when
    /// the API answers <c>invalid_token</c>. Needs <see cref="AddDPoP(IHttpClientBuilder, Action{DPoPClientOptions}?)"/>
    /// on the same client. The token endpoint is called through an internal HttpClient that signs with the same key
    /// and answers the endpoint's nonce challenge.
    /// </summary>
    /// <param name="builder">The HttpClient builder of the API client.</param>
    /// <param name="configure">Sets the token endpoint, client credentials and what to request.</param>
    /// <returns>The builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="configure"/> is null.</exception>
    public static IHttpClientBuilder AddDPoPClientCredentialsToken(this IHttpClientBuilder builder, Action<DPoPTokenClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.AddOptions<DPoPTokenClientOptions>(builder.Name).Configure(configure);
        return builder.AddDPoPClientCredentialsTokenCore();
    }

    /// <summary>Like <see cref="AddDPoPClientCredentialsToken(IHttpClientBuilder, Action{DPoPTokenClientOptions})"/>, with the options bound from a configuration section.</summary>
    /// <param name="builder">The HttpClient builder of the API client.</param>
    /// <param name="configuration">The section to bind <see cref="DPoPTokenClientOptions"/> from (<c>TokenEndpoint</c>, <c>ClientId</c>, <c>ClientSecret</c>, <c>Scope</c>, …).</param>
    /// <param name="configure">Further configuration, applied after binding.</param>
    /// <returns>The builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="configuration"/> is null.</exception>
    public static IHttpClientBuilder AddDPoPClientCredentialsToken(this IHttpClientBuilder builder, IConfiguration configuration, Action<DPoPTokenClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configuration);
        var optionsBuilder = builder.Services.AddOptions<DPoPTokenClientOptions>(builder.Name).Bind(configuration);
        if (configure is not null)
        {
            optionsBuilder.Configure(configure);
        }

        return builder.AddDPoPClientCredentialsTokenCore();
    }

    private static IHttpClientBuilder AddDPoPClientCredentialsTokenCore(this IHttpClientBuilder builder)
    {
        var name = builder.Name;
        var services = builder.Services;
        var tokenClientName = services.AddDPoPTokenEndpointClient(name);
        services.AddOptions<DPoPTokenClientOptions>(name).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DPoPTokenClientOptions>, DPoPTokenClientOptionsValidator>());
        services.AddKeyedSingleton<IDPoPAccessTokenProvider>(name, (sp, _) =>
        {
            var options = sp.GetRequiredService<IOptionsMonitor<DPoPTokenClientOptions>>().Get(name);
            var time = sp.GetService<TimeProvider>() ?? TimeProvider.System;
            return new ClientCredentialsTokenProvider(
                name,
                hook => CreateTokenClient(sp, name, tokenClientName, options, time, hook),
                sp.GetRequiredService<DPoPHandlerFactory>().KeySource(name), // the key the token endpoint client signs with
                options,
                time,
                sp.GetService<ILoggerFactory>()?.CreateLogger(DPoPTelemetryNames.TokensLogCategory) ?? (ILogger)NullLogger.Instance,
                SharedTokenCache(sp),
                TokenTelemetry(sp, name, options));
        });
        return builder;
    }

    /// <summary>The shared registrations, added once; returns the registry of DPoP client names.</summary>
    internal static DPoPClientRegistry AddDPoPCore(this IServiceCollection services)
    {
        foreach (var descriptor in services)
        {
            if (descriptor.ServiceType == typeof(DPoPClientRegistry) && descriptor.ImplementationInstance is DPoPClientRegistry existing)
            {
                return existing;
            }
        }

        var registry = new DPoPClientRegistry();
        services.AddSingleton(registry);
        services.AddHttpClient();
        services.AddMetrics();
        services.TryAddSingleton<GeneratedDPoPKeyProvider>();
        services.TryAddSingleton<IDPoPKeyProvider>(sp => sp.GetRequiredService<GeneratedDPoPKeyProvider>());
        services.TryAddSingleton<ConfiguredDPoPKeys>();
        services.TryAddSingleton(sp => new DPoPClientStates(sp.GetService<TimeProvider>() ?? TimeProvider.System));
        services.TryAddSingleton(sp => DPoPMetrics.Create(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.TryAddSingleton<DPoPHandlerFactory>();
        services.TryAddSingleton<IDPoPClientAccessTokens, DPoPClientAccessTokens>();
        services.TryAddSingleton(sp => new DPoPSharedTokenCache(
            sp.GetRequiredService<HybridCache>(),
            sp.GetService<TimeProvider>() ?? TimeProvider.System,
            sp.GetService<ILoggerFactory>()?.CreateLogger(DPoPTelemetryNames.TokensLogCategory) ?? (ILogger)NullLogger.Instance));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DPoPClientOptions>, DPoPClientOptionsValidator>());
        AddPipelineFilterFirst(services);
        return registry;
    }

    /// <summary>
    /// Registers <see cref="DPoPPipelineFilter"/> ahead of every filter registered so far (the app's included):
    /// IHttpClientFactory nests filters in registration order, so the first one's work after the others' is done
    /// last, and the pipeline it checks — and the token endpoint clients' DPoP handler it places innermost — is final,
    /// whatever the app registered before or after.
    /// </summary>
    private static void AddPipelineFilterFirst(IServiceCollection services)
    {
        var descriptor = ServiceDescriptor.Singleton<IHttpMessageHandlerBuilderFilter, DPoPPipelineFilter>();
        for (var i = 0; i < services.Count; i++)
        {
            if (services[i].ServiceType == typeof(IHttpMessageHandlerBuilderFilter))
            {
                services.Insert(i, descriptor);
                return;
            }
        }

        services.Add(descriptor);
    }
}
