using DPoP.Http.InteropTests.AspNetCore.Support;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace DPoP.Http.AspNetCore.Tests.Unit;

/// <summary>
/// <c>ConfigureDPoPOpenIdConnectTokenEndpointClient()</c>: the app's configuration reaches every token endpoint
/// client of the scheme, whatever the order of the calls, and their DPoP handler stays innermost.
/// </summary>
public sealed class TokenEndpointClientConfigurationTests
{
    private const string SchemeEndpointsClient = "DPoP.Http.AspNetCore." + UnitServices.Scheme;
    private const string AppTokenClient = "reports.DPoP.Http.AspNetCore.client-credentials";

    private sealed class MarkerHandler : DelegatingHandler;

    private static ServiceProvider Build(bool configureFirst, FakeLogCollector logs, RecordingPrimaryHandler? primary = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(logs)));
        services.AddDataProtection().UseEphemeralDataProtectionProvider();
        services.AddAuthentication().AddCookie().AddOpenIdConnect(UnitServices.Scheme, o =>
        {
            o.Authority = "https://login.example.com";
            o.ClientId = "web";
            o.ResponseType = "code";
        });
        void Configure() => services.ConfigureDPoPOpenIdConnectTokenEndpointClient(UnitServices.Scheme, token =>
        {
            token.AddStandardResilienceHandler();
            token.AddHttpMessageHandler(() => new MarkerHandler());
            if (primary is not null)
            {
                token.ConfigurePrimaryHttpMessageHandler(() => primary);
            }
        });

        if (configureFirst)
        {
            Configure();
        }

        services.AddDPoPOpenIdConnect(UnitServices.Scheme, o => o.ClientAuthentication = DPoPClientAuthenticationMethod.TlsClientAuth);
        services.AddHttpClient("reports").AddDPoP().AddDPoPClientCredentialsToken(UnitServices.Scheme);
        if (!configureFirst)
        {
            Configure();
        }

        return services.BuildServiceProvider();
    }

    private static List<string> Pipeline(ServiceProvider services, string client)
    {
        var names = new List<string>();
        for (HttpMessageHandler? handler = services.GetRequiredService<IHttpMessageHandlerFactory>().CreateHandler(client);
             handler is not null;
             handler = (handler as DelegatingHandler)?.InnerHandler)
        {
            names.Add(handler.GetType().Name);
        }

        return names;
    }

    /// <summary>One DPoP handler, inside the app's resilience and marker handlers; only the factory's request logger inside it.</summary>
    private static void AssertWrapsAnInnermostDPoPHandler(List<string> names)
    {
        var dpop = names.IndexOf(nameof(DPoPDelegatingHandler));
        Assert.That(names.Count(n => n == nameof(DPoPDelegatingHandler)), Is.EqualTo(1), string.Join(" > ", names));
        Assert.That(names.IndexOf("ResilienceHandler"), Is.GreaterThanOrEqualTo(0).And.LessThan(dpop), string.Join(" > ", names));
        Assert.That(names.IndexOf(nameof(MarkerHandler)), Is.GreaterThanOrEqualTo(0).And.LessThan(dpop), string.Join(" > ", names));
        Assert.That(names.Skip(dpop + 1).SkipLast(1), Is.All.EqualTo("LoggingHttpMessageHandler"), "innermost: " + string.Join(" > ", names));
    }

    [TestCase(true, SchemeEndpointsClient)]
    [TestCase(false, SchemeEndpointsClient)]
    [TestCase(true, AppTokenClient)]
    [TestCase(false, AppTokenClient)]
    public void TokenEndpointClient_GetsTheAppsHandlers_AroundAnInnermostDPoPHandler(bool configureFirst, string client)
    {
        var logs = new FakeLogCollector();
        using var services = Build(configureFirst, logs);

        var names = Pipeline(services, client);

        Assert.Multiple(() =>
        {
            AssertWrapsAnInnermostDPoPHandler(names);
            Assert.That(logs.GetSnapshot().Select(r => r.Message), Has.None.Contains("registered inside"));
        });
    }

    /// <summary>An app's own filter that wraps every client's pipeline end in a handler of its own, after the rest of the configuration.</summary>
    private sealed class AppFilter : Microsoft.Extensions.Http.IHttpMessageHandlerBuilderFilter
    {
        public Action<Microsoft.Extensions.Http.HttpMessageHandlerBuilder> Configure(Action<Microsoft.Extensions.Http.HttpMessageHandlerBuilder> next) => builder =>
        {
            next(builder);
            builder.AdditionalHandlers.Add(new MarkerHandler());
        };
    }

    [TestCase(SchemeEndpointsClient)]
    [TestCase(AppTokenClient)]
    public void TokenEndpointClient_DPoPHandlerInnermost_WhenTheAppRegisteredItsFilterAndDefaultsFirst(string client)
    {
        var services = new ServiceCollection();
        services.AddDataProtection().UseEphemeralDataProtectionProvider();
        services.AddSingleton<Microsoft.Extensions.Http.IHttpMessageHandlerBuilderFilter, AppFilter>();
        services.ConfigureHttpClientDefaults(defaults => defaults.AddStandardResilienceHandler());
        services.AddAuthentication().AddCookie().AddOpenIdConnect(UnitServices.Scheme, o =>
        {
            o.Authority = "https://login.example.com";
            o.ClientId = "web";
            o.ResponseType = "code";
        });
        services.AddDPoPOpenIdConnect(UnitServices.Scheme, o => o.ClientAuthentication = DPoPClientAuthenticationMethod.TlsClientAuth);
        services.AddHttpClient("reports").AddDPoP().AddDPoPClientCredentialsToken(UnitServices.Scheme);
        using var provider = services.BuildServiceProvider();

        var names = Pipeline(provider, client);

        Assert.Multiple(() => AssertWrapsAnInnermostDPoPHandler(names));
    }

    [Test]
    public void ReplacedPrimaryHandler_OfTheSchemeClient_HasAutomaticRedirectsOff()
    {
        using var primary = new RecordingPrimaryHandler();
        using var services = Build(configureFirst: false, new FakeLogCollector(), primary);

        using var client = services.GetRequiredService<IHttpClientFactory>().CreateClient(SchemeEndpointsClient);

        Assert.That(primary.Sockets.AllowAutoRedirect, Is.False);
    }

    [Test]
    public void AddDPoPOpenIdConnect_CalledTwice_SchemeClientHasOneDPoPHandler_AndBothConfigurations()
    {
        var services = new ServiceCollection();
        services.AddDataProtection().UseEphemeralDataProtectionProvider();
        services.AddAuthentication().AddCookie().AddOpenIdConnect(UnitServices.Scheme, o =>
        {
            o.Authority = "https://login.example.com";
            o.ClientId = "web";
            o.ResponseType = "code";
        });
        services.AddDPoPOpenIdConnect(UnitServices.Scheme, o => o.ClientAuthentication = DPoPClientAuthenticationMethod.TlsClientAuth);
        services.AddDPoPOpenIdConnect(UnitServices.Scheme, o => o.RefreshBeforeExpiry = TimeSpan.FromSeconds(42));
        using var provider = services.BuildServiceProvider();

        var names = Pipeline(provider, SchemeEndpointsClient);
        var options = provider.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<DPoPOpenIdConnectOptions>>().Get(UnitServices.Scheme);
        Assert.Multiple(() =>
        {
            Assert.That(names.Count(n => n == nameof(DPoPDelegatingHandler)), Is.EqualTo(1), string.Join(" > ", names));
            Assert.That(options.ClientAuthentication, Is.EqualTo(DPoPClientAuthenticationMethod.TlsClientAuth));
            Assert.That(options.RefreshBeforeExpiry, Is.EqualTo(TimeSpan.FromSeconds(42)));
        });
    }
}
