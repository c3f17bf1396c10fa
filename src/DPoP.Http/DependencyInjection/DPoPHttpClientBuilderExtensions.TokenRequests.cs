using System.Diagnostics.CodeAnalysis;
using DPoP.Http;

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
    /// <c>client_assertion</c>, …) fails the request with an <see cref="ArgumentException"/>.
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
}
