import { ConfigResourceTypes, ConfigSource } from 'kafkajs';
import type { Admin } from 'kafkajs';
import { KAFKA_DEFAULT_MAX_MESSAGE_BYTES } from '@toolkit/contracts';
import type { TopicContract } from '@toolkit/contracts';
import { AppError } from '@toolkit/errors';
import type { Logger } from '@toolkit/logger';
import { isUnknownTopic } from './client';
import type { TopicOptions } from './messaging';

/**
 * Topic administration over kafkajs' admin client: creating or checking the topics a
 * service declares (contracts already carry their topic as it travels, with the prefix),
 * the message limits publishing measures against, and the metadata requests of readiness
 * and group lookups.
 */

/** The topic-level settings a contract asks for, as a service creates its topic. */
function topicConfig(contract: TopicContract): { name: string; value: string }[] {
  const entries: { name: string; value: string }[] = [];
  if (contract.maxMessageBytes !== undefined)
    entries.push({ name: 'max.message.bytes', value: String(contract.maxMessageBytes) });
  if (contract.retentionMs !== undefined)
    entries.push({ name: 'retention.ms', value: String(contract.retentionMs) });
  return entries;
}

/** The kafka-topics.sh command that creates a contract's topic as a service would. */
function createCommand(contract: TopicContract, brokers: string, options: TopicOptions): string {
  const configs = topicConfig(contract)
    .map((e) => ` --config ${e.name}=${e.value}`)
    .join('');
  return (
    `kafka-topics.sh --bootstrap-server ${brokers} --create --topic ${contract.topic} ` +
    `--partitions ${options.partitions} ` +
    `--replication-factor ${options.replicationFactor}${configs}`
  );
}

export class TopicAdmin {
  /**
   * Message limits read from existing topics that are smaller than their contracts say
   * (operator-owned topics): publishing measures against these.
   */
  private readonly smallerTopicLimits = new Map<string, number>();
  /**
   * The topics this service declared (`ensureTopics`, `checkTopics`): what readiness asks
   * the cluster about. kafkajs' `listTopics` and `describeCluster` fetch (and keep) the
   * metadata of every partition in the cluster; its `createTopics` and `describeConfigs`
   * still do at boot.
   */
  private readonly declaredTopics = new Set<string>();

  constructor(
    private readonly admin: Admin,
    private readonly brokers: readonly string[],
    private readonly logger: Logger,
  ) {}

  /**
   * Creates missing topics (idempotent), and raises an existing one's `max.message.bytes`
   * to what its contract needs: the service owns its topics (`KAFKA_CREATE_TOPICS`).
   * Production may own topics instead: then `checkTopics`.
   */
  async ensureTopics(contracts: readonly TopicContract[], options: TopicOptions): Promise<void> {
    const existing = await this.existingTopics(contracts);
    await this.raiseMessageLimits(contracts.filter((c) => existing.has(c.topic)));
    const missing = contracts.filter((c) => !existing.has(c.topic));
    if (missing.length === 0) return;
    await this.admin.createTopics({
      // Waited for below: kafkajs' own wait gives up when the broker does not know a topic
      // it has just created yet (seen under load, right after many other creations).
      waitForLeaders: false,
      topics: missing.map((c) => ({
        topic: c.topic,
        numPartitions: options.partitions,
        replicationFactor: options.replicationFactor,
        configEntries: topicConfig(c),
      })),
    });
    await this.untilLed(missing.map((c) => c.topic));
    this.logger.info({ topics: missing.map((c) => c.topic) }, 'created topics');
  }

  /**
   * Waits until every partition of `topics` has a leader (new topics take a moment). Every
   * failure is asked again until the deadline (unknown topic, no leader yet, and kafkajs'
   * TypeError when its second metadata request of a call fails); a kafkajs call that
   * retries inside can overrun the deadline by its own retries (~6 s).
   */
  private async untilLed(topics: string[], timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      let failure: unknown = new Error(`topics ${topics.join(', ')} have no leader yet`);
      try {
        const { topics: found } = await this.admin.fetchTopicMetadata({ topics });
        if (found.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0)))
          return;
      } catch (error) {
        failure = error;
      }
      if (Date.now() > deadline) throw AppError.unavailable('Kafka', failure);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /**
   * For topics operators own (nothing is created or changed): fails when one is missing
   * (the boot stops with the commands that create them), and warns, with the command that
   * fixes it, about each topic that accepts smaller messages than its contract needs.
   */
  async checkTopics(
    contracts: readonly TopicContract[],
    /** What the commands that create a missing topic say (as `ensureTopics` would create it). */
    options: TopicOptions,
  ): Promise<void> {
    const existing = await this.existingTopics(contracts);
    const missing = contracts.filter((c) => !existing.has(c.topic));
    const brokers = this.brokers.join(',');
    if (missing.length > 0)
      throw new AppError({
        code: 'kafka-topics-missing',
        category: 'unavailable',
        retriable: false,
        message:
          `Kafka topics missing: ${missing.map((c) => c.topic).join(', ')}. Operators own the ` +
          'topics (KAFKA_CREATE_TOPICS=false): create them, or let services create theirs ' +
          `(KAFKA_CREATE_TOPICS=true). ${missing.map((c) => createCommand(c, brokers, options)).join('; ')}`,
        details: { topics: missing.map((c) => c.topic) },
      });
    for (const { contract, limit } of await this.smallTopics(
      contracts.filter((c) => existing.has(c.topic)),
    ))
      this.warnSmall(contract, limit);
  }

  /**
   * Which of `contracts`' topics exist, asking about those topics only (one metadata
   * request each, at boot), and remembers them as this service's for `ping`.
   */
  private async existingTopics(contracts: readonly TopicContract[]): Promise<Set<string>> {
    const existing = new Set<string>();
    for (const { topic } of contracts) {
      this.declaredTopics.add(topic);
      try {
        await this.admin.fetchTopicMetadata({ topics: [topic] });
        existing.add(topic);
      } catch (error) {
        if (!isUnknownTopic(error)) throw AppError.unavailable('Kafka', error);
      }
    }
    return existing;
  }

  /**
   * Gives topics this service owns the `max.message.bytes` their contracts need. The admin
   * API replaces a topic's whole set of overrides, so the others are sent again as they
   * are; where that cannot be done (not allowed, a sensitive override), it warns instead.
   */
  private async raiseMessageLimits(contracts: readonly TopicContract[]): Promise<void> {
    for (const { contract, limit } of await this.smallTopics(contracts)) {
      const needed = String(contract.maxMessageBytes);
      try {
        const { resources } = await this.admin.describeConfigs({
          includeSynonyms: false,
          resources: [{ type: ConfigResourceTypes.TOPIC, name: contract.topic }],
        });
        const overrides = (resources[0]?.configEntries ?? []).filter(
          (e) =>
            e.configSource === ConfigSource.TOPIC_CONFIG && e.configName !== 'max.message.bytes',
        );
        if (overrides.some((e) => e.isSensitive || e.configValue === null))
          throw new Error('the topic has a sensitive override that cannot be sent again');
        await this.admin.alterConfigs({
          validateOnly: false,
          resources: [
            {
              type: ConfigResourceTypes.TOPIC,
              name: contract.topic,
              configEntries: [
                ...overrides.map((e) => ({ name: e.configName, value: e.configValue })),
                { name: 'max.message.bytes', value: needed },
              ],
            },
          ],
        });
        this.smallerTopicLimits.delete(contract.topic);
        this.logger.info(
          { topic: contract.topic, from: limit, to: contract.maxMessageBytes },
          `raised max.message.bytes of topic ${contract.topic} to what its contract needs`,
        );
      } catch (error) {
        this.logger.warn(
          { err: error, topic: contract.topic },
          'could not raise max.message.bytes',
        );
        this.warnSmall(contract, limit);
      }
    }
  }

  /** The message limit publishing measures against: a smaller one learned, or the contract's. */
  limitOf(contract: TopicContract): number {
    return (
      this.smallerTopicLimits.get(contract.topic) ??
      contract.maxMessageBytes ??
      KAFKA_DEFAULT_MAX_MESSAGE_BYTES
    );
  }

  /**
   * Reads each topic's `max.message.bytes` (undefined for a topic that could not be read:
   * the cluster may not grant DescribeConfigs, and a check must not stop a service).
   */
  private async readMessageLimits(
    contracts: readonly TopicContract[],
  ): Promise<Map<string, number>> {
    const limits = new Map<string, number>();
    try {
      const { resources } = await this.admin.describeConfigs({
        includeSynonyms: false,
        resources: contracts.map((c) => ({
          type: ConfigResourceTypes.TOPIC,
          name: c.topic,
          configNames: ['max.message.bytes'],
        })),
      });
      for (const r of resources) {
        const entry = r.configEntries.find((e) => e.configName === 'max.message.bytes');
        limits.set(r.resourceName, Number(entry?.configValue ?? KAFKA_DEFAULT_MAX_MESSAGE_BYTES));
      }
    } catch (error) {
      this.logger.warn(
        { err: error, topics: contracts.map((c) => c.topic) },
        "could not read the topics' max.message.bytes: measuring against their contracts",
      );
    }
    return limits;
  }

  /** After the broker refused a message as too large: what the topic accepts now. */
  async learnTopicLimit(contract: TopicContract): Promise<void> {
    const limit = (await this.readMessageLimits([contract])).get(contract.topic);
    if (
      limit !== undefined &&
      limit < (contract.maxMessageBytes ?? KAFKA_DEFAULT_MAX_MESSAGE_BYTES)
    )
      this.smallerTopicLimits.set(contract.topic, limit);
  }

  /**
   * Existing topics that accept smaller messages than their contracts need, with their
   * limits; publishing measures against those limits from now on.
   */
  private async smallTopics(
    contracts: readonly TopicContract[],
  ): Promise<{ contract: TopicContract; limit: number }[]> {
    const needing = contracts.filter((c) => c.maxMessageBytes !== undefined);
    if (needing.length === 0) return [];
    const limits = await this.readMessageLimits(needing);
    const small: { contract: TopicContract; limit: number }[] = [];
    for (const contract of needing) {
      const limit = limits.get(contract.topic);
      if (limit === undefined) continue;
      if (limit >= (contract.maxMessageBytes ?? 0)) {
        this.smallerTopicLimits.delete(contract.topic);
        continue;
      }
      this.smallerTopicLimits.set(contract.topic, limit);
      small.push({ contract, limit });
    }
    return small;
  }

  /** A topic accepting less than its contract needs, reported with the command that fixes it. */
  private warnSmall(contract: TopicContract, limit: number): void {
    this.logger.warn(
      { topic: contract.topic, limit, needed: contract.maxMessageBytes },
      `topic ${contract.topic} accepts messages up to ${limit} bytes, its contract needs ` +
        `${contract.maxMessageBytes}: larger messages will be refused. Fix: kafka-configs.sh ` +
        `--bootstrap-server ${this.brokers.join(',')} ` +
        `--alter --entity-type topics --entity-name ${contract.topic} --add-config ` +
        `max.message.bytes=${contract.maxMessageBytes}`,
    );
  }

  /**
   * The cluster answers a metadata request within `timeoutMs`, about this service's
   * declared topics only (a missing topic is an answer too): a probe every few seconds
   * must not fetch every partition of a shared cluster.
   */
  async answers(timeoutMs: number): Promise<void> {
    const topics = [...this.declaredTopics];
    const ask =
      topics.length === 0
        ? this.admin.describeCluster()
        : this.admin.fetchTopicMetadata({ topics }).catch((error: unknown) => {
            if (!isUnknownTopic(error)) throw error;
          });
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        ask,
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('Kafka did not answer in time')), timeoutMs);
        }),
      ]);
    } catch (error) {
      throw AppError.unavailable('Kafka', error);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Members of a consumer group (its name on the cluster), or undefined when the group is
   * unknown or empty. Read-only admin call.
   */
  async countGroupMembers(group: string): Promise<number | undefined> {
    try {
      const { groups } = await this.admin.describeGroups([group]);
      const found = groups[0];
      if (!found || found.state === 'Dead') return undefined;
      return found.members.length;
    } catch (error) {
      throw AppError.unavailable('Kafka', error);
    }
  }
}
