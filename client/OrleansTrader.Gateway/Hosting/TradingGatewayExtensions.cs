using System.Net;
using System.Text.Json.Serialization.Metadata;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OrleansTrader.Gateway.Apis;
using OrleansTrader.Gateway.Diagnostics;
using OrleansTrader.Gateway.Explorer;
using OrleansTrader.Gateway.Json;
using OrleansTrader.Gateway.Security;

namespace OrleansTrader.Gateway;

/// <summary>
/// The gateway as three calls any host makes: <see cref="AddTradingGateway"/> (services), <see cref="UseTradingGateway"/>
/// (middleware, before mapping) and <see cref="MapTradingApi"/> (routes). The host provides IGrainFactory/IClusterClient
/// (the silo's own client when embedded) and TimeProvider.
/// </summary>
public static class TradingGatewayExtensions
{
    public const string OpenApiDocument = "v1";

    public static IHostApplicationBuilder AddTradingGateway(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var section = builder.Configuration.GetSection(GatewayOptions.SectionName);
        services.AddOptionsWithValidateOnStart<GatewayOptions>().Bind(section).Configure(options =>
        {
            // The binder appends configured items to a list's default, so narrowing the prefixes would export everything.
            var prefixes = section.GetSection("Metrics:MeterPrefixes").GetChildren().Select(c => c.Value).OfType<string>().ToList();
            if (prefixes.Count > 0)
            {
                options.Metrics.MeterPrefixes = prefixes;
            }
        });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GatewayOptions>, GatewayOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton<GatewayMetrics>();
        services.TryAddSingleton<PrometheusExporter>();
        services.TryAddSingleton<ApiKeyCache>();
        services.TryAddSingleton<FailedKeyLookupThrottle>();
        services.TryAddSingleton<ApiKeyConsole>();
        services.TryAddSingleton<EventStreamSlots>();
        services.TryAddSingleton<BacktestSlots>();
        services.TryAddSingleton<RequestSlots>();
        services.TryAddSingleton<KeyLookupSlots>();
        services.AddHostedService<BootstrapAdminKeyService>();

        services.ConfigureHttpJsonOptions(options =>
        {
            // Bar intervals answer as requests give them ("1m"), not as a TimeSpan ("00:01:00").
            options.SerializerOptions.TypeInfoResolverChain.Insert(0, GatewayJsonContext.Default.WithAddedModifier(BarIntervalJsonConverter.Apply));
            options.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict;

            // A number a decimal cannot hold exactly is refused, not rounded (money and quantities must not move silently).
            options.SerializerOptions.Converters.Add(new ExactDecimalJsonConverter());

            // A whole number is taken in any spelling (1e2, 100.0), as every number is; a fraction or a number past the field's
            // range is refused, the range named.
            options.SerializerOptions.Converters.Add(new WholeNumberJsonConverter<int>());
            options.SerializerOptions.Converters.Add(new WholeNumberJsonConverter<long>());

            // A time without its offset is refused, not read in the host's time zone (one request, two instants).
            options.SerializerOptions.Converters.Add(new ExplicitOffsetJsonConverter());
            options.SerializerOptions.UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow;

            // A field named twice is refused, not its last value taken: a proxy or the client's own check may have read the first.
            options.SerializerOptions.AllowDuplicateProperties = false;
        });
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            if (CorrelationMiddleware.Get(context.HttpContext) is { } correlationId)
            {
                context.ProblemDetails.Extensions["correlationId"] = correlationId;
            }

            context.ProblemDetails.Extensions.Remove("traceId");

            // The framework gives a type only to the statuses it knows, and 429 is not one: every rate limit and the
            // event-stream cap answered without one, where every other problem has it (clients dispatch on it).
            if (context.ProblemDetails.Status == StatusCodes.Status429TooManyRequests)
            {
                context.ProblemDetails.Type ??= TooManyRequestsType;
            }

            // The framework titles what it answers itself (the challenge's 401, an unknown route's 404, a 405) with the
            // status's reason phrase, "Unauthorized"; the gateway's own titles are sentences ("Forbidden.", "Not found.").
            if (context.ProblemDetails is { Title: { } title, Status: { } status } && title == ReasonPhrases.GetReasonPhrase(status))
            {
                context.ProblemDetails.Title = string.Concat(title.AsSpan(0, 1), title[1..].ToLowerInvariant(), ".");
            }

            // The framework's own 415 (a body of another media type, such as curl's default form) says what to send, as
            // the gateway's 415 for an unknown charset does.
            if (context.ProblemDetails.Status == StatusCodes.Status415UnsupportedMediaType)
            {
                context.ProblemDetails.Title = "Send the body as application/json.";
            }
        });
        services.AddSingleton<IProblemDetailsWriter, AnyAcceptProblemWriter>();
        services.AddExceptionHandler<GatewayExceptionHandler>();

        services.AddAuthentication(GatewayClaims.Scheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(GatewayClaims.Scheme, null);
        services.AddAuthorization(GatewayPolicies.Add);
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationHandler, GatewayAccessHandler>();
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, ForbiddenProblemWriter>();
        services.AddRateLimiter(ConfigureRateLimits);
        services.AddOpenApi(OpenApiDocument, options => options
            .AddDocumentTransformer(BearerSecurityTransformer.TransformAsync)
            .AddOperationTransformer(ProblemResponsesTransformer.TransformAsync)
            .AddSchemaTransformer(BarIntervalSchemaTransformer.TransformAsync)
            .AddSchemaTransformer(ExactDecimalSchemaTransformer.TransformAsync)
            .AddSchemaTransformer(WholeNumberSchemaTransformer.TransformAsync)
            .AddSchemaTransformer(ExplicitOffsetSchemaTransformer.TransformAsync)
            .AddSchemaTransformer(ProblemSchemaTransformer.TransformAsync)
            .AddSchemaTransformer(EnumSchemaTransformer.TransformAsync)
            .AddSchemaTransformer(AcceptedValuesSchemaTransformer.TransformAsync)
            .AddSchemaTransformer(RequiredFieldSchemaTransformer.TransformAsync));
        return builder;
    }

    /// <summary>Correlation ids, metrics, ProblemDetails for errors and status codes, load shedding, paths with dot or empty segments, body limits and charsets, authentication, rate
    /// limits and authorization, in that order. Call before mapping routes.</summary>
    public static WebApplication UseTradingGateway(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);

        // The exporter listens from now on: measurements taken before its first scrape must count.
        app.Services.GetRequiredService<PrometheusExporter>();
        app.UseMiddleware<CorrelationMiddleware>();
        app.UseMiddleware<HttpMetricsMiddleware>();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseMiddleware<LoadSheddingMiddleware>();
        app.UseMiddleware<AmbiguousPathMiddleware>();
        app.UseMiddleware<RequestBodyLimitMiddleware>();
        app.UseMiddleware<RequestCharsetMiddleware>();
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();
        return app;
    }

    /// <summary>Every API route, GET /metrics, GET /openapi/v1.json and the API explorer page (GET /explorer). Health
    /// endpoints stay the host's.</summary>
    public static IEndpointRouteBuilder MapTradingApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapAccountsApi();
        endpoints.MapOrdersApi();
        endpoints.MapRiskApi();
        endpoints.MapStrategiesApi();
        endpoints.MapWebhooksApi();
        endpoints.MapSymbolsApi();
        endpoints.MapEventsApi();
        endpoints.MapKeysApi();
        endpoints.MapBackupsApi();
        endpoints.MapMetricsApi();
        endpoints.MapOpenApi().RequireAuthorization(GatewayPolicies.AnyKey).WithTags("OpenAPI");
        endpoints.MapExplorer();
        return endpoints;
    }

    /// <summary>The problem type of a 429: RFC 6585 defines the status, as RFC 9110 does the framework's types.</summary>
    internal const string TooManyRequestsType = "https://tools.ietf.org/html/rfc6585#section-4";

    private static void ConfigureRateLimits(RateLimiterOptions options)
    {
        options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
        options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
        {
            if (context.Request.Path.StartsWithSegments("/health"))
            {
                return RateLimitPartition.GetNoLimiter("health");
            }

            var limits = Limits(context);
            return context.User.KeyId() is { } keyId
                ? FixedWindow(context, "key:" + keyId, limits.PermitsPerWindow)
                : FixedWindow(context, "ip:" + ClientAddress(context), limits.AnonymousPermitsPerWindow);
        });
        options.AddPolicy(OrdersApi.OrderRateLimitPolicy, new OrderRateLimitPolicy());
        options.OnRejected = (context, _) => RejectAsync(context, "global");
    }

    /// <summary>A refusal by a rate limit: 429 with Retry-After and a problem, counted under the policy that refused.</summary>
    internal static ValueTask RejectAsync(OnRejectedContext context, string policy) =>
        TooManyRequestsAsync(context.HttpContext, context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : null, policy);

    /// <summary>429 with Retry-After (the window when <paramref name="retryAfter"/> is unknown) and a problem, counted under
    /// <paramref name="policy"/>.</summary>
    internal static async ValueTask TooManyRequestsAsync(HttpContext http, TimeSpan? retryAfter, string policy)
    {
        var wait = retryAfter ?? Limits(http).Window;
        http.RequestServices.GetRequiredService<GatewayMetrics>().RateLimited(policy);
        await RefuseAsync(http, StatusCodes.Status429TooManyRequests, Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)),
            "Too many requests.", "Slow down; retry after the number of seconds in the Retry-After header.");
    }

    /// <summary>A refusal before any work: <paramref name="status"/> with Retry-After and a problem (with its reason, if any).</summary>
    internal static async Task RefuseAsync(HttpContext http, int status, int retryAfterSeconds, string title, string detail, string? reason = null)
    {
        http.Response.StatusCode = status;
        http.Response.Headers.RetryAfter = retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail };
        if (reason is not null)
        {
            problem.Extensions["reason"] = reason;
        }

        await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem });
    }

    internal static GatewayRateLimitOptions Limits(HttpContext context) =>
        context.RequestServices.GetRequiredService<IOptions<GatewayOptions>>().Value.RateLimits;

    /// <summary>The partition <paramref name="partitionKey"/>: <paramref name="permits"/> per Gateway:RateLimits:Window, on the host's clock.</summary>
    internal static RateLimitPartition<string> FixedWindow(HttpContext context, string partitionKey, int permits)
    {
        var window = Limits(context).Window;
        var time = context.RequestServices.GetRequiredService<TimeProvider>();
        return RateLimitPartition.Get(partitionKey, _ => new FixedWindowLimiter(permits, window, time));
    }

    /// <summary>The route is served whatever the load (Gateway:LoadShedding): it reduces risk, or holds its connection for long.</summary>
    internal static TBuilder ExemptFromLoadShedding<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(LoadSheddingExemption.Instance);

    internal static string ClientAddress(HttpContext context) => (context.Connection.RemoteIpAddress ?? IPAddress.None).ToString();
}
