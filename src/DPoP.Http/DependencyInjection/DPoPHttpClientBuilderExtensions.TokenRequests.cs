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
}
