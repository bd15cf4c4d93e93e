import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { ReindexConfig } from './reindex.config';
import { ReindexService } from './reindex.service';

/** Adds the `REINDEX_CRON` job, only when it is set; a bad expression stops boot. */
@Injectable()
export class ReindexScheduler implements OnApplicationBootstrap {
  private readonly logger = new Logger(ReindexScheduler.name);

  constructor(
    private readonly config: ReindexConfig,
    private readonly scheduler: SchedulerRegistry,
    private readonly reindex: ReindexService,
  ) {}

  onApplicationBootstrap(): void {
    const cron = this.config.cron;
    if (!cron) return;
    const job = CronJob.from({
      cronTime: cron,
      // waitForCompletion: a tick never overlaps the previous one's re-index.
      waitForCompletion: true,
      // Skipped collections are logged by the service; the next tick tries them again.
      onTick: async () => {
        await this.reindex.reindexAll();
      },
    });
    this.scheduler.addCronJob('reindex', job);
    job.start();
    this.logger.log(`re-index scheduled: ${cron}`);
  }
}
