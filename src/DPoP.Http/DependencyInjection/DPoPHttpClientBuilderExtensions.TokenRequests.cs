using System.Diagnostics.CodeAnalysis;
using DPoP.Http;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>The token-request parts of the builder extensions: client assertions and token request customization.</summary>
public static partial class DPoPHttpClientBuilderExtensions
{
    /// <summary>
    /// Signs this client's <c>private_key_jwt</c> client assertions with <typeparamref name="TProvider"/> (a key vault,
    /// an HSM) instead of a configured key; it is called for every token request, nonce retries included. Set
    /// <see cref="DPoPTokenClientOptions.ClientAuthentication"/> to <see cref="DPoPClientAuthenticationMethod.PrivateKeyJwt"/>
    /// and leave <c>ClientAssertionKey</c> and <c>ClientAssertionKeyPath</c> empty.
    /// </summary>
    /// <typeparam name="TProvider">The provider, registered as a singleton keyed by the client's name.</typeparam>
    /// <param name="builder">The HttpClient builder.</param>
    /// <returns>The builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    public static IHttpClientBuilder AddDPoPClientAssertionProvider<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TProvider>(this IHttpClientBuilder builder)
        where TProvider : class, IDPoPClientAssertionProvider
    {
        ArgumentNullException.ThrowIfNull(builder);
        var name = builder.Name;
        builder.Services.AddKeyedSingleton<IDPoPClientAssertionProvider, TProvider>(name);
        builder.Services.AddOptions<DPoPTokenClientOptions>(name)
            .PostConfigure<IServiceProvider>((options, services) => options.ClientAssertionProvider = services.GetRequiredKeyedService<IDPoPClientAssertionProvider>(name));
        return builder;
    }

    /// <summary>
    /// Calls <paramref name="onTokenRequest"/> before each token request of this client, for every grant, so that it can
    /// set the scope, resources, audience and extra parameters of that request (<see cref="DPoPTokenRequestContext"/>).
    /// Several hooks run in the order they were added. A hook that sets a reserved parameter (<c>grant_type</c>,
    /// <c>client_assertion</c>, …) fails the request with an <see cref="ArgumentException"/>. A hook runs only when a
    /// token is requested, and that token is cached for every request: what differs between requests (a tenant) belongs
    /// in <see cref="AddDPoPTokenPartition"/>.
    /// </summary>
    /// <param name="builder">The HttpClient builder.</param>
    /// <param name="onTokenRequest">The hook; it may run on many threads at once.</param>
    /// <returns>The builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="onTokenRequest"/> is null.</exception>
    public static IHttpClientBuilder AddDPoPTokenRequestHook(this IHttpClientBuilder builder, Func<DPoPTokenRequestContext, CancellationToken, ValueTask> onTokenRequest)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(onTokenRequest);
        builder.Services.AddOptions<DPoPTokenClientOptions>(builder.Name).PostConfigure(options =>
        {
            var earlier = options.OnTokenRequest;
            options.OnTokenRequest = earlier is null ? onTokenRequest : async (context, cancellationToken) =>
            {
                await earlier(context, cancellationToken).ConfigureAwait(false);
                await onTokenRequest(context, cancellationToken).ConfigureAwait(false);
            };
        });
        return builder;
    }

    /// <summary>
    /// Partitions this client's tokens per API request: <paramref name="configure"/> sees each request that needs a token
    /// (<see cref="DPoPTokenPartition.Request"/>) and sets what its token is asked for — scope, resources, audience,
    /// parameters (a tenant, say). What it sets is part of the token's cache key, in memory and in a shared cache, so
    /// each partition gets and reuses its own token, one token request per partition however many requests need it.
    /// Use it, not <see cref="AddDPoPTokenRequestHook"/>, for anything that differs between requests: a hook runs only
    /// when a token is requested, and the token it shaped would be sent with every request. Applies to
    /// <c>AddDPoPClientCredentialsToken()</c> and <c>AddDPoPTokenExchange()</c>; several customizers run in the order they
    /// were added. <see cref="IDPoPClientAccessTokens"/> serves the client's default partition (the token requested
    /// with the client's options alone).
    /// </summary>
    /// <param name="builder">The HttpClient builder of the API client.</param>
    /// <param name="configure">Sets the request's partition; called for every request that needs a token, on many threads at once. It runs before the token is looked up: keep it cheap.</param>
    /// <returns>The builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="configure"/> is null.</exception>
    /// <example>
    /// <code>
    /// services.AddHttpClient("orders").AddDPoP()
    ///     .AddDPoPClientCredentialsToken(configuration.GetSection("Orders:Token"))
    ///     .AddDPoPTokenPartition(partition => partition.Parameters["tenant"] = tenantAccessor.Current);
    /// </code>
    /// </example>
    public static IHttpClientBuilder AddDPoPTokenPartition(this IHttpClientBuilder builder, Action<DPoPTokenPartition> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.AddOptions<DPoPTokenClientOptions>(builder.Name).PostConfigure(options =>
        {
            var earlier = options.Partition;
            options.Partition = earlier is null ? configure : partition =>
            {
                earlier(partition);
                configure(partition);
            };
        });
        return builder;
    }

    /// <summary>
    /// Gets this client's access tokens by token exchange (RFC 8693), for an API that calls a downstream API on behalf
    /// of its caller: for each request, <paramref name="subjectToken"/> returns the token to exchange (typically the
    /// caller's access token; null sends the request without a token), and it is exchanged at the token endpoint for a
    /// token bound to this client's DPoP key. Tokens are cached per subject token (by its SHA-256), what the exchange
    /// asks for and DPoP key thumbprint, renewed in the background shortly before they expire (the valid token stays in
    /// use meanwhile), shared across instances through the app's HybridCache when it has one; one exchange runs per
    /// subject token however many requests need it, at most 2,048 subject tokens are kept, and a token the API rejects
    /// (<c>invalid_token</c>) is exchanged again once. Needs
    /// <see cref="AddDPoP(IHttpClientBuilder, Action{DPoPClientOptions}?)"/> on the same client.
    /// </summary>
    /// <param name="builder">The HttpClient builder of the downstream API client.</param>
    /// <param name="configure">Sets the token endpoint and client credentials (its <c>Scope</c>, <c>Resources</c> and <c>Audience</c> are not used: set them on the exchange request).</param>
    /// <param name="subjectToken">Finds the subject token for a request; called for every request.</param>
    /// <param name="configureRequest">Sets what each exchange asks for: audience, resources, scope, token types, parameters (its <c>SubjectToken</c> is replaced).</param>
    /// <returns>The builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/>, <paramref name="configure"/> or <paramref name="subjectToken"/> is null.</exception>
    public static IHttpClientBuilder AddDPoPTokenExchange(
        this IHttpClientBuilder builder,
        Action<DPoPTokenClientOptions> configure,
        Func<HttpRequestMessage, CancellationToken, ValueTask<string?>> subjectToken,
        Action<DPoPTokenExchangeRequest>? configureRequest = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        ArgumentNullException.ThrowIfNull(subjectToken);
        var name = builder.Name;
        var services = builder.Services;
        var tokenClientName = services.AddDPoPTokenEndpointClient(name);
        services.AddOptions<DPoPTokenClientOptions>(name).Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DPoPTokenClientOptions>, DPoPTokenClientOptionsValidator>());
        services.AddKeyedSingleton<IDPoPAccessTokenProvider>(name, (sp, _) =>
        {
            var options = sp.GetRequiredService<IOptionsMonitor<DPoPTokenClientOptions>>().Get(name);
            var time = sp.GetService<TimeProvider>() ?? TimeProvider.System;
            var engine = new DPoPTokenEngine(
                name, TokenExchangeTokenProvider.GrantType, options.TokenEndpoint!, options, time,
                sp.GetService<ILoggerFactory>()?.CreateLogger(DPoPTelemetryNames.TokensLogCategory) ?? (ILogger)NullLogger.Instance,
                TokenTelemetry(sp, name, options), SharedTokenCache(sp));
            return new TokenExchangeTokenProvider(
                () => CreateTokenClient(sp, name, tokenClientName, options, time),
                sp.GetRequiredService<DPoPHandlerFactory>().KeySource(name),
                subjectToken,
                configureRequest,
                engine);
        });
        return builder;
    }
}
