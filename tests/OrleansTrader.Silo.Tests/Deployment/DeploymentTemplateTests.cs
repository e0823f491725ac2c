using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using OrleansTrader.Grains.Hosting;

namespace OrleansTrader.Silo.Tests;

/// <summary>
/// The Bicep under infra/ (what `azd up` deploys) compiled by the real Bicep compiler, and the ARM template it produces
/// checked against what the silo needs from Azure Container Apps. Nothing is deployed: the template's expressions are
/// evaluated here for a set of parameters, with whatever only Azure knows (resource ids, outputs of other deployments)
/// left as a «placeholder» that no assertion may depend on unnoticed.
/// </summary>
public sealed class DeploymentTemplateTests(DeploymentTemplateFixture fixture) : IClassFixture<DeploymentTemplateFixture>
{
    private const string ContainerAppType = "Microsoft.App/containerApps";
    private const string AcrPullRoleDefinitionId = "7f951dda-4ed3-4680-a7ca-43fe172d538d";

    private static readonly Dictionary<string, JsonNode?> RequiredParameters = new()
    {
        ["environmentName"] = "ot-test",
        ["location"] = "westeurope",
        ["postgresAdminPassword"] = "Te;st'Passw0rd",
        ["gatewayAdminKey"] = new string('k', 40),
    };

    private static readonly Dictionary<string, JsonNode?> AlpacaParameters = new(RequiredParameters)
    {
        ["alpacaKeyId"] = "PKTESTKEY",
        ["alpacaSecretKey"] = "alpaca-test-secret",
        ["alpacaAccountId"] = "acct-test",
        ["alpacaLive"] = true,
        ["feedKind"] = "alpaca",
        ["feedSymbols"] = "SPY,AAPL",
    };

    /// <summary>
    /// The container's variables that are not the silo's own settings: ASP.NET Core's (the listening address, forwarded
    /// headers) and the placeholder image's port.
    /// </summary>
    private static readonly HashSet<string> HostVariables =
        ["ASPNETCORE_URLS", "ASPNETCORE_FORWARDEDHEADERS_ENABLED", "WHOAMI_PORT_NUMBER"];

    [Fact]
    public void Bicep_BuildsMainBicep_WithoutErrorsOrWarnings()
    {
        var build = fixture.Build;

        Assert.True(build.ExitCode == 0 && build.Diagnostics.Length == 0,
            $"bicep build exited with {build.ExitCode}:\n{build.Diagnostics}");
    }

    [Fact]
    public void Bicep_LintsMainBicep_WithoutDiagnostics()
    {
        var lint = fixture.Lint;

        Assert.True(lint.ExitCode == 0 && lint.Diagnostics.Length == 0 && lint.Output.Trim().Length == 0,
            $"bicep lint exited with {lint.ExitCode}:\n{lint.Output}{lint.Diagnostics}");
    }

    [Fact]
    public void ContainerApp_IsTaggedWithTheServiceNameOfAzureYaml()
    {
        var app = ContainerApp(RequiredParameters);

        Assert.Equal(fixture.ServiceName, Text(app["tags"]?["azd-service-name"]));
        Assert.Contains("host: containerapp", fixture.AzureYaml, StringComparison.Ordinal);
    }

    /// <summary>
    /// The image itself serves where the template's ingress and probes look, so it also runs outside this template
    /// (`docker run -p 8080:8080`): without an address the silo would listen on its loopback default inside the container.
    /// </summary>
    [Fact]
    public void TheImage_ServesOnTheTemplatesAddress_WithoutTheTemplate()
    {
        var project = System.Xml.Linq.XDocument.Load(Path.Combine(fixture.RepositoryRoot, "silo", "OrleansTrader.Silo", "OrleansTrader.Silo.csproj"));
        var imageEnvironment = project.Descendants("ContainerEnvironmentVariable")
            .ToDictionary(e => (string)e.Attribute("Include")!, e => (string?)e.Attribute("Value"));

        Assert.Equal(Text(EnvironmentOf(ContainerApp(RequiredParameters))["ASPNETCORE_URLS"]["value"]), imageEnvironment.GetValueOrDefault("ASPNETCORE_URLS"));
    }

    [Fact]
    public void Ingress_TargetsThePortOfAspNetCoreUrls()
    {
        var app = ContainerApp(RequiredParameters);
        var env = EnvironmentOf(app);
        var ingress = app["properties"]?["configuration"]?["ingress"];

        var port = ListeningPort(env);
        Assert.Equal(8080, port);
        Assert.Equal(port, Int(ingress?["targetPort"]));
        Assert.True(Bool(ingress?["external"]), "Ingress must be external.");
        Assert.Equal("http", Text(ingress?["transport"]));
        Assert.False(Bool(ingress?["allowInsecure"]), "Ingress must not allow plain HTTP.");

        // The placeholder image listens where WHOAMI_PORT_NUMBER says; it must pass the silo's probes until azd deploys.
        Assert.Equal(port.ToString(CultureInfo.InvariantCulture), Text(env["WHOAMI_PORT_NUMBER"]?["value"]));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void EverySecretRef_NamesADeclaredSecret(bool withAlpaca)
    {
        var app = ContainerApp(withAlpaca ? AlpacaParameters : RequiredParameters);
        var secrets = Secrets(app);

        var references = EnvironmentOf(app).Values.Select(v => v["secretRef"]).Where(r => r is not null).Select(Text).ToList();

        Assert.NotEmpty(references);
        Assert.All(references, r => Assert.True(secrets.ContainsKey(r), $"secretRef '{r}' names no secret of the app."));
    }

    [Fact]
    public void Environment_GivesTheSiloItsStorageKeyAndLogFormat()
    {
        var app = ContainerApp(RequiredParameters);
        var env = EnvironmentOf(app);
        var secrets = Secrets(app);

        Assert.Equal("postgres", Text(env["Storage__Provider"]["value"]));
        var connectionString = Text(secrets[Text(env["Storage__ConnectionString"]["secretRef"])]["value"]);
        Assert.Matches(@"^Host=«[^;]*\.fullyQualifiedDomainName[^;]*»;Database=orleanstrader;Username=otadmin;", connectionString);

        // As the silo reads it: a ';' or a quote in the password must not end or break the value.
        var parsed = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        Assert.Equal("Te;st'Passw0rd", parsed.Password);
        Assert.Equal(Npgsql.SslMode.Require, parsed.SslMode);
        Assert.Equal("orleanstrader", parsed.Database);
        Assert.Equal("true", Text(env["Gateway__Metrics__RequireAuth"]["value"]));
        Assert.Equal(RequiredParameters["gatewayAdminKey"]!.GetValue<string>(),
            Text(secrets[Text(env["Gateway__BootstrapAdminKey"]["secretRef"])]["value"]));
        Assert.Equal("json", Text(env["Logging__Format"]["value"]));
        Assert.False(env.ContainsKey("Feed__Kind"), "FEED_KIND unset sets no Feed__Kind: the silo picks it to fit the broker.");
        Assert.False(env.ContainsKey("Calendar__Kind"), "CALENDAR_KIND unset sets no Calendar__Kind: the silo picks it to fit the feed.");
        Assert.Equal("true", Text(env["Demo__Enabled"]["value"]));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void EveryEnvironmentVariable_IsASettingTheSiloReads(bool withAlpaca)
    {
        // The silo ignores a name it does not bind without a word, and the setting keeps its default: a misspelt
        // variable deploys and runs, just not as configured.
        var app = ContainerApp(withAlpaca ? AlpacaParameters : RequiredParameters);
        var secrets = Secrets(app);

        var problems = EnvironmentOf(app)
            .Where(variable => !HostVariables.Contains(variable.Key))
            .Select(variable => SiloSettingNames.Problem(
                SiloSettingNames.KeyOfVariable(variable.Key), ValueOf(variable.Value, secrets)))
            .OfType<string>()
            .ToList();

        Assert.True(problems.Count == 0, "Environment variables the silo does not read:\n" + string.Join("\n", problems));
    }

    [Fact]
    public void EverySettingTheDeploymentDocsName_IsOneTheSiloReads()
    {
        // What docs/deployment.md and infra/ tell an operator to set, or say the template sets, as A__B or `A:B`.
        var infra = Path.Combine(fixture.RepositoryRoot, "infra");
        var text = string.Join("\n", Directory.GetFiles(infra, "*.bicep", SearchOption.AllDirectories)
            .Append(Path.Combine(infra, "README.md"))
            .Append(Path.Combine(fixture.RepositoryRoot, "docs", "deployment.md"))
            .Select(File.ReadAllText));
        var keys = Regex.Matches(text, @"\b[A-Z][A-Za-z]*(?:__[A-Z][A-Za-z]*)+\b").Select(m => SiloSettingNames.KeyOfVariable(m.Value))
            .Concat(Regex.Matches(text, @"`([A-Z][A-Za-z]*(?::[A-Z][A-Za-z]*)+)`").Select(m => m.Groups[1].Value))
            .Distinct(StringComparer.Ordinal)
            .ToList();

        var problems = keys.Select(key => SiloSettingNames.Problem(key)).OfType<string>().ToList();

        Assert.Contains("Storage:ConnectionString", keys);
        Assert.True(problems.Count == 0, "Settings the deployment docs name that the silo does not read:\n" + string.Join("\n", problems));
    }

    [Fact]
    public void Environment_TakesTheClientAddressFromTheIngress()
    {
        // Behind the ingress proxy every request comes from the proxy's address: without forwarded headers all anonymous
        // clients share one rate-limit bucket and one failed-key-lookup bucket (ForwardedHeadersRateLimitTests).
        var env = EnvironmentOf(ContainerApp(RequiredParameters));

        Assert.True(env.TryGetValue("ASPNETCORE_FORWARDEDHEADERS_ENABLED", out var forwarded),
            "ASPNETCORE_FORWARDEDHEADERS_ENABLED is not set: the silo would see every client as the ingress proxy.");
        Assert.Equal("true", Text(forwarded["value"]));
    }

    [Fact]
    public void AzureYaml_RequiresAnAzdThatPublishesTheSiloWithoutADockerfile()
    {
        // The silo has no Dockerfile; azd builds it with `dotnet publish /t:PublishContainer` only from 1.11.1 on.
        var match = Regex.Match(fixture.AzureYaml, @"(?m)^requiredVersions:\s*\n\s+azd:\s*['""]?>=\s*(\d+)\.(\d+)\.(\d+)['""]?\s*$");

        Assert.True(match.Success, "azure.yaml names no minimum azd version (requiredVersions: azd: '>= 1.11.1').");
        var version = new Version(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture),
            int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture), int.Parse(match.Groups[3].Value, CultureInfo.InvariantCulture));
        Assert.True(version >= new Version(1, 11, 1), $"azure.yaml accepts azd {version}, which cannot build the silo without a Dockerfile.");
    }

    [Fact]
    public void AzdEnvironmentFolder_IsIgnoredByGit()
    {
        // `azd env set` and azd's prompts keep the PostgreSQL password and the admin key under .azure/ in the checkout.
        var ignored = File.ReadAllLines(Path.Combine(fixture.RepositoryRoot, ".gitignore")).Select(l => l.Trim());

        Assert.Contains(ignored, line => line is ".azure" or ".azure/" or "/.azure" or "/.azure/");
    }

    [Fact]
    public void Parameters_AllowOnlyWhatTheSiloAccepts()
    {
        var parameters = fixture.Template["parameters"]!;

        Assert.Equal(new[] { "", "synthetic", "alpaca", "none" }, AllowedValues(parameters["feedKind"]));
        Assert.Equal(new[] { "", "always-open", "nyse" }, AllowedValues(parameters["calendarKind"]));
        Assert.Equal(32, Int(parameters["gatewayAdminKey"]?["minLength"]));
        Assert.Equal("securestring", Text(parameters["gatewayAdminKey"]?["type"]));
    }

    [Fact]
    public void FeedSymbols_BecomeTheSilosFeedSymbols_OneVariableEach()
    {
        // An Alpaca feed subscribes to the symbols it is given and no other, and the silo refuses it without any: with no
        // way to pass them, FEED_KIND=alpaca could not start.
        var app = ContainerApp(new(RequiredParameters) { ["feedKind"] = "alpaca", ["feedSymbols"] = "SPY, AAPL" });
        var env = EnvironmentOf(app);

        Assert.Equal("SPY", Text(env["Feed__Symbols__0"]["value"]));
        Assert.Equal("AAPL", Text(env["Feed__Symbols__1"]["value"]));
        Assert.Equal(["Feed__Symbols__0", "Feed__Symbols__1"], env.Keys.Where(name => name.StartsWith("Feed__Symbols", StringComparison.Ordinal)));
    }

    // FEED_KIND and CALENDAR_KIND defaulted to synthetic and always-open, so Alpaca keys alone deployed an Alpaca account
    // whose risk checks the synthetic feed priced with simulated prices (which the silo now refuses). Unset, they leave
    // the choice to the silo: the template's environment, given to the silo's configuration, starts on a fitting pair.
    [Theory]
    [InlineData(false, "synthetic", "always-open")]
    [InlineData(true, "alpaca", "nyse")]
    public void TheTemplatesDefaults_GiveTheSiloAFeedAndACalendarThatFitTheBroker(bool withAlpaca, string feed, string calendar)
    {
        var parameters = withAlpaca
            ? new Dictionary<string, JsonNode?>(RequiredParameters)
            {
                ["alpacaKeyId"] = "PKTESTKEY", ["alpacaSecretKey"] = "alpaca-test-secret", ["alpacaAccountId"] = "acct-test", ["feedSymbols"] = "SPY",
            }
            : RequiredParameters;
        var app = ContainerApp(parameters);
        var secrets = Secrets(app);
        var settings = EnvironmentOf(app)
            .Where(variable => !HostVariables.Contains(variable.Key))
            .ToDictionary(variable => SiloSettingNames.KeyOfVariable(variable.Key), variable => (string?)ValueOf(variable.Value, secrets));

        // The database is Azure's; the feed and the calendar are what this test is about.
        (settings["Storage:Provider"], settings["Storage:ConnectionString"]) = ("memory", null);
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddOrleansTrader();

        var registered = (Registered<FeedSettings>(builder).Kind, Registered<CalendarSettings>(builder).Kind);
        Assert.Equal((feed, calendar), registered);
    }

    private static T Registered<T>(WebApplicationBuilder builder) =>
        (T)builder.Services.Single(service => service.ServiceType == typeof(T)).ImplementationInstance!;

    [Fact]
    public void FeedSymbols_Unset_LeaveTheFeedItsOwn()
    {
        var env = EnvironmentOf(ContainerApp(RequiredParameters));

        Assert.DoesNotContain(env.Keys, name => name.StartsWith("Feed__Symbols", StringComparison.Ordinal));
    }

    [Fact]
    public void Alpaca_IsAbsentWithoutAKeyId()
    {
        var app = ContainerApp(RequiredParameters);

        Assert.DoesNotContain(EnvironmentOf(app).Keys, name => name.StartsWith("Alpaca", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(Secrets(app).Keys, name => name.Contains("alpaca", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Alpaca_IsCompleteWithAKeyId()
    {
        var app = ContainerApp(AlpacaParameters);
        var env = EnvironmentOf(app);
        var secrets = Secrets(app);

        Assert.Equal("PKTESTKEY", Text(env["Alpaca__KeyId"]["value"]));
        Assert.Null(env["Alpaca__SecretKey"]["value"]);
        Assert.Equal("alpaca-test-secret", Text(secrets[Text(env["Alpaca__SecretKey"]["secretRef"])]["value"]));
        Assert.Equal("acct-test", Text(env["Alpaca__AccountId"]["value"]));
        Assert.Equal("true", Text(env["Alpaca__Live"]["value"]));
    }

    [Fact]
    public void Probes_AreHttpOnTheListeningPort_AndTolerateAHandover()
    {
        var app = ContainerApp(RequiredParameters);
        var port = ListeningPort(EnvironmentOf(app));
        var probes = ((JsonArray)Container(app)["probes"]!).Select(p => (JsonObject)p!).ToDictionary(p => Text(p["type"]));

        Assert.Equal(new[] { "Liveness", "Readiness", "Startup" }, probes.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("/health/live", Text(probes["Liveness"]["httpGet"]?["path"]));
        // One replica: a failing readiness check would take the whole API out of the ingress (docs/deployment.md).
        Assert.Equal("/health/live", Text(probes["Readiness"]["httpGet"]?["path"]));
        Assert.Equal("/health/live", Text(probes["Startup"]["httpGet"]?["path"]));
        foreach (var probe in probes.Values)
        {
            Assert.Equal(port, Int(probe["httpGet"]?["port"]));
            Assert.Null(probe["tcpSocket"]);
            // The ranges Container Apps accepts (its probe API): delay 1-60, period 1-240, failures 1-10, timeout 1-240.
            AssertInRange(probe, "initialDelaySeconds", 1, 60);
            AssertInRange(probe, "periodSeconds", 1, 240);
            AssertInRange(probe, "failureThreshold", 1, 10);
            AssertInRange(probe, "timeoutSeconds", 1, 240);
        }

        // A new revision's silo waits for the old one to hand the database over (a minute or two) before it listens.
        var startup = probes["Startup"];
        Assert.Equal(10, Int(startup["failureThreshold"]));
        var tolerance = Int(startup["initialDelaySeconds"]) + (Int(startup["periodSeconds"]) * Int(startup["failureThreshold"]));
        Assert.True(tolerance >= 120, $"The startup probe gives up after {tolerance} s; a handover can take two minutes.");
    }

    [Fact]
    public void Scale_IsOneSiloInSingleRevisionMode()
    {
        var app = ContainerApp(RequiredParameters);
        var properties = app["properties"]!;
        var resources = Container(app)["resources"];

        Assert.Equal("Single", Text(properties["configuration"]?["activeRevisionsMode"]));
        Assert.Equal(1, Int(properties["template"]?["scale"]?["minReplicas"]));
        Assert.Equal(1, Int(properties["template"]?["scale"]?["maxReplicas"]));
        Assert.Equal(1.0, resources?["cpu"]?.GetValue<double>());
        Assert.Equal("2Gi", Text(resources?["memory"]));
    }

    [Fact]
    public void ContainerApp_PullsFromTheRegistryWithTheIdentityThatHoldsAcrPull()
    {
        var app = ContainerApp(RequiredParameters);
        var registry = Assert.Single((JsonArray)app["properties"]!["configuration"]!["registries"]!)!;
        var identities = app["identity"]?["userAssignedIdentities"]?.AsObject();

        Assert.Equal("UserAssigned", Text(app["identity"]?["type"]));
        Assert.Equal(Text(registry["identity"]), Assert.Single(identities!).Key);
        Assert.Contains("loginServer", Text(registry["server"]), StringComparison.Ordinal);

        var pull = Assert.Single(Deployed(RequiredParameters), r => Text(r["type"]) == "Microsoft.Authorization/roleAssignments");
        Assert.Contains(AcrPullRoleDefinitionId, Text(pull["properties"]?["roleDefinitionId"]), StringComparison.Ordinal);
        Assert.Equal("ServicePrincipal", Text(pull["properties"]?["principalType"]));
    }

    [Fact]
    public void SupportingResources_AreTheOnesTheDocsDescribe()
    {
        var resources = Deployed(RequiredParameters).ToList();
        JsonObject Only(string type) => Assert.Single(resources, r => Text(r["type"]) == type);

        var server = Only("Microsoft.DBforPostgreSQL/flexibleServers");
        Assert.Equal("16", Text(server["properties"]?["version"]));
        Assert.Equal("Standard_B1ms", Text(server["sku"]?["name"]));
        Assert.Equal("Burstable", Text(server["sku"]?["tier"]));
        Assert.Equal(32, Int(server["properties"]?["storage"]?["storageSizeGB"]));
        Assert.Equal("otadmin", Text(server["properties"]?["administratorLogin"]));
        var database = Only("Microsoft.DBforPostgreSQL/flexibleServers/databases");
        Assert.EndsWith("/orleanstrader", Text(database["name"]), StringComparison.Ordinal);
        var firewall = Only("Microsoft.DBforPostgreSQL/flexibleServers/firewallRules")["properties"];
        Assert.Equal("0.0.0.0", Text(firewall?["startIpAddress"]));
        Assert.Equal("0.0.0.0", Text(firewall?["endIpAddress"]));
        Assert.Equal("on", Text(Only("Microsoft.DBforPostgreSQL/flexibleServers/configurations")["properties"]?["value"]));

        var registry = Only("Microsoft.ContainerRegistry/registries");
        Assert.Equal("Basic", Text(registry["sku"]?["name"]));
        Assert.False(Bool(registry["properties"]?["adminUserEnabled"]), "The registry's admin user must be disabled.");

        var logs = Only("Microsoft.App/managedEnvironments")["properties"]?["appLogsConfiguration"];
        Assert.Equal("log-analytics", Text(logs?["destination"]));
        Only("Microsoft.OperationalInsights/workspaces");

        var group = Only("Microsoft.Resources/resourceGroups");
        Assert.Equal("rg-ot-test", Text(group["name"]));
        Assert.Equal("ot-test", Text(group["tags"]?["azd-env-name"]));
    }

    [Fact]
    public void Outputs_AreTheOnesAzdReads()
    {
        var outputs = fixture.Template["outputs"]!.AsObject();
        var service = fixture.ServiceName.ToUpperInvariant();

        string[] expected =
        [
            "AZURE_LOCATION", "AZURE_CONTAINER_REGISTRY_ENDPOINT", "AZURE_CONTAINER_REGISTRY_NAME",
            "AZURE_CONTAINER_APPS_ENVIRONMENT_NAME", "AZURE_CONTAINER_APPS_ENVIRONMENT_ID",
            $"SERVICE_{service}_NAME", $"SERVICE_{service}_URI",
        ];
        Assert.All(expected, name => Assert.True(outputs.ContainsKey(name), $"Output {name} is missing."));

        // SERVICE_<NAME>_URI passes on the uri output of the app's module: the app's ingress host, over https.
        var (_, appScope) = ContainerAppWithScope(RequiredParameters);
        var uri = Text(appScope.Evaluate(appScope.Template["outputs"]?["uri"]?["value"]));
        Assert.Matches(@"^https://«[^;]*\.ingress\.fqdn»$", uri);
        Assert.EndsWith(".outputs.uri.value]", Text(outputs[$"SERVICE_{service}_URI"]?["value"]), StringComparison.Ordinal);
        Assert.EndsWith(".outputs.name.value]", Text(outputs[$"SERVICE_{service}_NAME"]?["value"]), StringComparison.Ordinal);
    }

    [Fact]
    public void ParametersFile_MapsEveryRequiredParameterToAnAzdValue()
    {
        var declared = fixture.Template["parameters"]!.AsObject();
        var file = Path.Combine(fixture.RepositoryRoot, "infra", "main.parameters.json");
        var mapped = JsonNode.Parse(File.ReadAllText(file))!["parameters"]!.AsObject();
        string Value(string name) => Text(mapped[name]?["value"]);

        Assert.All(mapped, p => Assert.True(declared.ContainsKey(p.Key),
            $"main.parameters.json sets '{p.Key}', which main.bicep does not declare."));
        Assert.All(declared.Where(p => p.Value?["defaultValue"] is null),
            p => Assert.True(mapped.ContainsKey(p.Key), $"Required parameter '{p.Key}' is not in main.parameters.json."));
        Assert.Equal("${AZURE_ENV_NAME}", Value("environmentName"));
        Assert.Equal("${AZURE_LOCATION}", Value("location"));

        // Secrets without a default map to a bare variable, so azd prompts when it is unset.
        Assert.All(declared.Where(p => Text(p.Value?["type"]) == "securestring" && p.Value?["defaultValue"] is null),
            p => Assert.Matches(@"^\$\{[A-Z_]+\}$", Value(p.Key)));
        Assert.Equal($"${{SERVICE_{fixture.ServiceName.ToUpperInvariant()}_RESOURCE_EXISTS=false}}", Value("siloExists"));
    }

    private static string ValueOf(JsonObject variable, Dictionary<string, JsonObject> secrets) =>
        variable["secretRef"] is { } secret ? Text(secrets[Text(secret)]["value"]) : Text(variable["value"]);

    private JsonObject ContainerApp(Dictionary<string, JsonNode?> parameters) => ContainerAppWithScope(parameters).Resource;

    private (JsonObject Resource, ArmScope Scope) ContainerAppWithScope(Dictionary<string, JsonNode?> parameters)
    {
        var root = new ArmScope(fixture.Template, parameters);
        var (resource, scope) = Assert.Single(root.DeployedResources(), r => Text(r.Resource["type"]) == ContainerAppType);
        return ((JsonObject)scope.Evaluate(resource)!, scope);
    }

    /// <summary>Every resource deployed, evaluated; nested deployments stand for the resources in them.</summary>
    private IEnumerable<JsonObject> Deployed(Dictionary<string, JsonNode?> parameters) =>
        new ArmScope(fixture.Template, parameters).DeployedResources()
            .Where(r => Text(r.Resource["type"]) != "Microsoft.Resources/deployments")
            .Select(r => (JsonObject)r.Scope.Evaluate(r.Resource)!);

    private static JsonObject Container(JsonObject app) =>
        (JsonObject)Assert.Single((JsonArray)app["properties"]!["template"]!["containers"]!)!;

    /// <summary>The container's environment by name; a name set twice fails.</summary>
    private static Dictionary<string, JsonObject> EnvironmentOf(JsonObject app) =>
        ((JsonArray)Container(app)["env"]!).Select(e => (JsonObject)e!).ToDictionary(e => Text(e["name"]));

    private static Dictionary<string, JsonObject> Secrets(JsonObject app) =>
        ((JsonArray)app["properties"]!["configuration"]!["secrets"]!).Select(s => (JsonObject)s!)
            .ToDictionary(s => Text(s["name"]));

    private static int ListeningPort(Dictionary<string, JsonObject> env)
    {
        var urls = Text(env["ASPNETCORE_URLS"]["value"]);
        var match = Regex.Match(urls, @"^http://\+:(\d+)$");
        Assert.True(match.Success, $"ASPNETCORE_URLS is '{urls}', not http://+:<port> (every interface, one port).");
        return int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    private static string[] AllowedValues(JsonNode? parameter) =>
        ((JsonArray)parameter!["allowedValues"]!).Select(Text).ToArray();

    private static void AssertInRange(JsonObject probe, string property, int min, int max)
    {
        if (probe[property] is { } value)
        {
            Assert.InRange(Int(value), min, max);
        }
    }

    private static string Text(JsonNode? node) => ArmScope.Text(node);

    private static int Int(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<int>(out var number)
            ? number
            : throw new InvalidOperationException($"Expected an integer, found {node?.ToJsonString() ?? "nothing"}.");

    private static bool Bool(JsonNode? node) => ArmScope.Bool(node);
}
